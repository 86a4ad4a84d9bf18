// The operations list's filter form (search, the main choices, "More filters") and saved filters.
import { useState, type FormEvent } from 'react';
import { api, errorMessage, fieldMessages } from '../../lib/api';
import { useLanguage, useTexts } from '../../lib/i18n';
import { METHOD_GROUPS } from '../../lib/payment-methods';
import type { ItemList, Shop } from '../../lib/types';
import { ErrorAlert, SelectField, SuccessNotice, TextField, type Option } from '../../lib/ui';
import { useResource } from '../../lib/use-resource';
import {
  DETAIL_FILTERS,
  OPERATION_SORTS,
  type Filters,
  type Mode,
  type OperationSort,
} from './operation-filters';
import { OPERATION_STATUSES, type OperationStatus } from './operation.types';
import { operationTexts } from './operations.texts';

const TEXT_FILTERS = ['q', 'from', 'to', 'amountMin', 'amountMax', 'invId', 'email', 'card'] as const;
type TextFilter = (typeof TEXT_FILTERS)[number];

/**
 * Choices apply at once; typed values apply on "Apply" (or Enter), so the list does not reload on every
 * keystroke. The form is re-created when the address changes, so its drafts always start from it.
 */
export function OperationFiltersForm({
  filters,
  fieldErrors,
  onChange,
}: {
  filters: Filters;
  fieldErrors: Record<string, string>;
  onChange: (change: Partial<Filters>) => void;
}) {
  const t = useTexts(operationTexts);
  const { language } = useLanguage();
  const [draft, setDraft] = useState<Record<TextFilter, string>>(
    () => Object.fromEntries(TEXT_FILTERS.map((name) => [name, filters[name]])) as Record<TextFilter, string>,
  );
  const isDetailOpen = DETAIL_FILTERS.some((name) => filters[name] !== '' || fieldErrors[name]);
  const text = (name: TextFilter, label: string, extra: Record<string, unknown> = {}) => (
    <TextField
      id={`operations-${name}`}
      className="grow"
      label={label}
      value={draft[name]}
      error={fieldErrors[name]}
      onChange={(event) => setDraft({ ...draft, [name]: event.target.value })}
      {...extra}
    />
  );

  function apply(event: FormEvent) {
    event.preventDefault();
    onChange(draft);
  }

  return (
    <form className="op-filters" onSubmit={apply} aria-label={t('filters.title')}>
      <div className="field-row">
        {text('q', t('search.label'), { type: 'search', hint: t('search.hint') })}
        <div className="field">
          <button type="submit" className="button primary align-end">
            {t('search.submit')}
          </button>
        </div>
      </div>
      <MainChoices filters={filters} onChange={onChange} />
      <details className="op-more" open={isDetailOpen}>
        <summary>{t('filter.more')}</summary>
        <div className="field-row">
          {text('from', t('filter.from'), { type: 'date', hint: t('filter.periodHint') })}
          {text('to', t('filter.to'), { type: 'date' })}
          {text('amountMin', t('filter.amountMin'), { inputMode: 'decimal' })}
          {text('amountMax', t('filter.amountMax'), { inputMode: 'decimal' })}
        </div>
        <div className="field-row">
          {text('invId', t('filter.invId'), { inputMode: 'numeric' })}
          {text('email', t('filter.email'), { type: 'email' })}
          {text('card', t('filter.card'), { inputMode: 'numeric', maxLength: 4 })}
          <SelectField
            id="operations-method"
            className="grow"
            label={t('filter.method')}
            value={filters.method}
            error={fieldErrors.method}
            options={[
              { value: '', label: t('filter.methodAll') },
              ...METHOD_GROUPS.map((group) => ({ value: group.code, label: group[language] })),
            ]}
            onChange={(method) => onChange({ method })}
          />
        </div>
        <div className="actions">
          <button type="submit" className="button">
            {t('filter.apply')}
          </button>
        </div>
      </details>
    </form>
  );
}

function MainChoices({
  filters,
  onChange,
}: {
  filters: Filters;
  onChange: (change: Partial<Filters>) => void;
}) {
  const t = useTexts(operationTexts);
  const { resource: shops } = useResource<ItemList<Shop>>('/api/cabinet/shops');
  const shopOptions: Option<string>[] = [
    { value: '', label: t('filter.shopAll') },
    ...(shops.status === 'ready'
      ? shops.data.items.map((shop) => ({ value: shop.id, label: shop.name }))
      : []),
  ];
  // A shop chosen in the address stays selectable while the shops load (or if they fail to).
  if (filters.shop && !shopOptions.some((option) => option.value === filters.shop)) {
    shopOptions.push({ value: filters.shop, label: filters.shop });
  }
  const statusOptions: Option<'' | OperationStatus>[] = [
    { value: '', label: t('filter.statusAll') },
    ...OPERATION_STATUSES.map((status) => ({ value: status, label: t(`status.${status}`) })),
  ];
  const modeOptions: Option<Mode>[] = [
    { value: '', label: t('filter.modeAll') },
    { value: 'live', label: t('filter.modeLive') },
    { value: 'test', label: t('filter.modeTest') },
  ];
  const sortOptions: Option<OperationSort>[] = OPERATION_SORTS.map((sort) => ({
    value: sort,
    label: t(`sort.${sort}`),
  }));
  return (
    <div className="field-row">
      <SelectField
        id="operations-shop"
        className="grow"
        label={t('filter.shop')}
        value={filters.shop}
        options={shopOptions}
        onChange={(shop) => onChange({ shop })}
      />
      <SelectField
        id="operations-status"
        className="grow"
        label={t('filter.status')}
        value={filters.status}
        options={statusOptions}
        onChange={(status) => onChange({ status })}
      />
      <SelectField
        id="operations-mode"
        className="grow"
        label={t('filter.mode')}
        value={filters.mode}
        options={modeOptions}
        onChange={(mode) => onChange({ mode })}
      />
      <SelectField
        id="operations-sort"
        className="grow"
        label={t('filter.sort')}
        value={filters.sort}
        options={sortOptions}
        onChange={(sort) => onChange({ sort })}
      />
    </div>
  );
}

interface SavedFilter {
  id: string;
  name: string;
  query: string;
}

/** Open a saved filter (its address), save the current one under a name, delete one. */
export function SavedFilters({
  currentQuery,
  onOpen,
}: {
  currentQuery: string;
  onOpen: (query: URLSearchParams) => void;
}) {
  const t = useTexts(operationTexts);
  const { resource, reload } = useResource<{ items: SavedFilter[] }>('/api/cabinet/operation-filters');
  const [chosen, setChosen] = useState('');
  const [isNaming, setIsNaming] = useState(false);
  const [name, setName] = useState('');
  const [error, setError] = useState<{ message: string; fields: Record<string, string> } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const items = resource.status === 'ready' ? resource.data.items : [];

  async function save(event: FormEvent) {
    event.preventDefault();
    try {
      const saved = await api.post<SavedFilter>('/api/cabinet/operation-filters', {
        name,
        query: currentQuery,
      });
      setNotice(t('saved.saved', { name: saved.name }));
      setError(null);
      setIsNaming(false);
      setChosen(saved.id);
      reload();
    } catch (failure) {
      setError({ message: errorMessage(failure), fields: fieldMessages(failure) });
    }
  }

  async function remove() {
    try {
      await api.delete(`/api/cabinet/operation-filters/${encodeURIComponent(chosen)}`);
      setChosen('');
      setNotice(t('saved.deleted'));
      reload();
    } catch (failure) {
      setError({ message: errorMessage(failure), fields: {} });
    }
  }

  return (
    <div className="op-saved">
      <div className="field-row">
        <SelectField
          id="operations-saved"
          className="grow"
          label={t('saved.label')}
          value={chosen}
          options={[
            { value: '', label: t('saved.none') },
            ...items.map((item) => ({ value: item.id, label: item.name })),
          ]}
          onChange={(id) => {
            setChosen(id);
            const item = items.find((candidate) => candidate.id === id);
            if (item) onOpen(new URLSearchParams(item.query));
          }}
        />
        {!isNaming && (
          <div className="field">
            <button type="button" className="button align-end" onClick={() => setIsNaming(true)}>
              {t('saved.save')}
            </button>
          </div>
        )}
        {chosen && !isNaming && (
          <div className="field">
            <button type="button" className="button align-end" onClick={() => void remove()}>
              {t('saved.delete')}
            </button>
          </div>
        )}
      </div>
      {isNaming && (
        <form className="field-row" onSubmit={(event) => void save(event)}>
          <TextField
            id="operations-saved-name"
            className="grow"
            label={t('saved.name')}
            value={name}
            maxLength={60}
            required
            error={error?.fields.name ?? error?.fields.query}
            onChange={(event) => setName(event.target.value)}
          />
          <div className="field">
            <button type="submit" className="button primary align-end">
              {t('saved.confirm')}
            </button>
          </div>
          <div className="field">
            <button type="button" className="button align-end" onClick={() => setIsNaming(false)}>
              {t('saved.cancel')}
            </button>
          </div>
        </form>
      )}
      {error && !error.fields.name && !error.fields.query && <ErrorAlert message={error.message} />}
      <SuccessNotice message={notice} />
    </div>
  );
}
