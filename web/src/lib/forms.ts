// Helpers every form shares: server field errors in, focus on the first invalid field out.
import { flushSync } from 'react-dom';
import { fieldMessages } from './api';

export type FieldErrors = Readonly<Record<string, string>>;

/**
 * Stores the server's field errors and moves focus to the first invalid field in form order.
 * flushSync renders the errors first, so aria-invalid and the messages exist when focus lands.
 */
export function showFieldErrors(
  error: unknown,
  setErrors: (errors: FieldErrors) => void,
  fieldOrder: readonly (readonly [field: string, elementId: string])[],
): FieldErrors {
  const errors = fieldMessages(error);
  flushSync(() => setErrors(errors));
  const first = fieldOrder.find(([field]) => errors[field]);
  if (first) document.getElementById(first[1])?.focus();
  return errors;
}
