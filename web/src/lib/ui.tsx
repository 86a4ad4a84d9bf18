/**
 * Small building blocks shared by every form and page. Each field wires its label, hint and error to
 * the control (label for, aria-describedby, aria-invalid) so forms stay accessible without repetition.
 */
import {
  useEffect,
  useId,
  useRef,
  type InputHTMLAttributes,
  type ReactNode,
  type SelectHTMLAttributes,
  type TextareaHTMLAttributes,
} from 'react';
import { formatText } from './i18n';

function joinIds(...ids: (string | undefined)[]): string | undefined {
  const present = ids.filter(Boolean);
  return present.length > 0 ? present.join(' ') : undefined;
}

interface FieldParts {
  id: string;
  label: ReactNode;
  hint?: ReactNode;
  error?: string;
}

function describedBy({ id, hint, error }: FieldParts) {
  const errorId = error ? `${id}-error` : undefined;
  const hintId = hint ? `${id}-hint` : undefined;
  return { errorId, hintId, ids: joinIds(errorId, hintId) };
}

function FieldMessages({ id, hint, error }: FieldParts) {
  return (
    <>
      {error && (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      )}
      {hint && (
        <div id={`${id}-hint`} className="hint">
          {hint}
        </div>
      )}
    </>
  );
}

type TextFieldProps = FieldParts & Omit<InputHTMLAttributes<HTMLInputElement>, 'id'>;

export function TextField({ id, label, hint, error, className, ...input }: TextFieldProps) {
  const { ids } = describedBy({ id, label, hint, error });
  return (
    <div className={joinIds('field', className)}>
      <label htmlFor={id}>{label}</label>
      <input id={id} aria-invalid={error ? true : undefined} aria-describedby={ids} {...input} />
      <FieldMessages id={id} label={label} hint={hint} error={error} />
    </div>
  );
}

type TextAreaFieldProps = FieldParts & Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, 'id'>;

export function TextAreaField({ id, label, hint, error, ...textarea }: TextAreaFieldProps) {
  const { ids } = describedBy({ id, label, hint, error });
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <textarea id={id} aria-invalid={error ? true : undefined} aria-describedby={ids} {...textarea} />
      <FieldMessages id={id} label={label} hint={hint} error={error} />
    </div>
  );
}

export interface Option<V extends string> {
  value: V;
  label: string;
}

type SelectFieldProps<V extends string> = FieldParts &
  Omit<SelectHTMLAttributes<HTMLSelectElement>, 'id' | 'value' | 'onChange'> & {
    value: V;
    options: readonly Option<V>[];
    onChange: (value: V) => void;
  };

export function SelectField<V extends string>(props: SelectFieldProps<V>) {
  const { id, label, hint, error, value, options, onChange, className, ...select } = props;
  const { ids } = describedBy({ id, label, hint, error });
  return (
    <div className={joinIds('field', className)}>
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        value={value}
        aria-invalid={error ? true : undefined}
        aria-describedby={ids}
        // The options are the only values the select can produce, so the cast is safe.
        onChange={(event) => onChange(event.target.value as V)}
        {...select}
      >
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
      <FieldMessages id={id} label={label} hint={hint} error={error} />
    </div>
  );
}

interface RadioGroupFieldProps<V extends string> extends FieldParts {
  name: string;
  value: V;
  options: readonly Option<V>[];
  onChange: (value: V) => void;
  disabled?: boolean;
}

/** Radio ids are `${id}-${value}`, so a form can focus the group through its first option. */
export function RadioGroupField<V extends string>(props: RadioGroupFieldProps<V>) {
  const { id, label, hint, error, name, value, options, onChange, disabled } = props;
  const { ids } = describedBy({ id, label, hint, error });
  return (
    <fieldset
      className="field radio-group"
      role="radiogroup"
      aria-invalid={error ? true : undefined}
      aria-describedby={ids}
      disabled={disabled}
    >
      <legend>{label}</legend>
      {options.map((option) => (
        <label key={option.value} className="choice" htmlFor={`${id}-${option.value}`}>
          <input
            type="radio"
            id={`${id}-${option.value}`}
            name={name}
            value={option.value}
            checked={value === option.value}
            onChange={() => onChange(option.value)}
          />
          <span>{option.label}</span>
        </label>
      ))}
      <FieldMessages id={id} label={label} hint={hint} error={error} />
    </fieldset>
  );
}

interface CheckboxFieldProps extends FieldParts {
  checked: boolean;
  onChange: (checked: boolean) => void;
}

export function CheckboxField({ id, label, hint, error, checked, onChange }: CheckboxFieldProps) {
  const { ids } = describedBy({ id, label, hint, error });
  return (
    <div className="field">
      <div className="choice">
        <input
          type="checkbox"
          id={id}
          checked={checked}
          aria-invalid={error ? true : undefined}
          aria-describedby={ids}
          onChange={(event) => onChange(event.target.checked)}
        />
        <label htmlFor={id}>{label}</label>
      </div>
      <FieldMessages id={id} label={label} hint={hint} error={error} />
    </div>
  );
}

export function ErrorAlert({ message }: { message: string | null | undefined }) {
  if (!message) return null;
  return (
    <div className="alert alert-error" role="alert">
      {message}
    </div>
  );
}

export function SuccessNotice({ message }: { message: string | null | undefined }) {
  if (!message) return null;
  return (
    <div className="alert alert-success" role="status">
      {message}
    </div>
  );
}

interface ModalProps {
  open: boolean;
  title: string;
  onClose: () => void;
  children: ReactNode;
}

/** A native <dialog>: the browser traps focus, closes on Escape and restores focus afterwards. */
export function Modal({ open, title, onClose, children }: ModalProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog ref={ref} className="modal" aria-labelledby={titleId} onClose={onClose}>
      {open && (
        <>
          <h2 id={titleId}>{title}</h2>
          {children}
        </>
      )}
    </dialog>
  );
}

interface EmptyStateProps {
  title: string;
  children?: ReactNode;
  // Inside a section that already has an h2, the empty state's title is one level lower.
  headingLevel?: 2 | 3;
}

export function EmptyState({ title, children, headingLevel = 2 }: EmptyStateProps) {
  const Heading = headingLevel === 2 ? 'h2' : 'h3';
  return (
    <div className="empty-state">
      <Heading>{title}</Heading>
      {children}
    </div>
  );
}

export function Loading({ label }: { label: string }) {
  return (
    <p className="loading" role="status">
      {label}
    </p>
  );
}

/** Sets the tab title, so history and tabs say where the user is. */
export function useDocumentTitle(title: string) {
  useEffect(() => {
    document.title = formatText('{title} · Kopek', { title });
  }, [title]);
}
