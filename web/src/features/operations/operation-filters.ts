// The operations list's filters as the address bar keeps them (page names), and as the API wants them.
import { OPERATION_STATUSES, type OperationStatus } from './operation.types';

export const OPERATION_SORTS = ['created_desc', 'created_asc', 'amount_desc', 'amount_asc'] as const;
export type OperationSort = (typeof OPERATION_SORTS)[number];
export type Mode = '' | 'live' | 'test';

export interface Filters {
  shop: string;
  status: '' | OperationStatus;
  mode: Mode;
  method: string;
  from: string;
  to: string;
  amountMin: string;
  amountMax: string;
  invId: string;
  email: string;
  card: string;
  q: string;
  sort: OperationSort;
}

/** Page parameter → API parameter, for the text-like filters that pass through unchanged. */
const PASS_THROUGH = {
  shop: 'shopId',
  status: 'status',
  method: 'method',
  from: 'from',
  to: 'to',
  amountMin: 'amountMin',
  amountMax: 'amountMax',
  invId: 'invId',
  email: 'email',
  card: 'cardLast4',
  q: 'q',
} as const satisfies Partial<Record<keyof Filters, string>>;

/** The filters that sit behind "More filters": open that panel when one of them is set. */
export const DETAIL_FILTERS = [
  'method',
  'from',
  'to',
  'amountMin',
  'amountMax',
  'invId',
  'email',
  'card',
] as const;

export function readFilters(params: URLSearchParams): Filters {
  const status = params.get('status') ?? '';
  const mode = params.get('mode') ?? '';
  const sort = params.get('sort') ?? '';
  const text = (name: string) => params.get(name) ?? '';
  return {
    shop: text('shop'),
    status: (OPERATION_STATUSES as readonly string[]).includes(status) ? (status as OperationStatus) : '',
    mode: mode === 'live' || mode === 'test' ? mode : '',
    method: text('method'),
    from: text('from'),
    to: text('to'),
    amountMin: text('amountMin'),
    amountMax: text('amountMax'),
    invId: text('invId'),
    email: text('email'),
    card: text('card'),
    q: text('q'),
    sort: (OPERATION_SORTS as readonly string[]).includes(sort) ? (sort as OperationSort) : 'created_desc',
  };
}

/** The address bar's query: only what is set, so a plain list has a plain address. */
export function pageQuery(filters: Filters): URLSearchParams {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(filters)) {
    if (value === '' || (name === 'sort' && value === 'created_desc')) continue;
    search.set(name, value);
  }
  return search;
}

export function apiParams(filters: Filters): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [pageName, apiName] of Object.entries(PASS_THROUGH)) {
    const value = filters[pageName as keyof typeof PASS_THROUGH].trim();
    if (value) params[apiName] = value;
  }
  if (filters.mode) params.isTest = filters.mode === 'test' ? 'true' : 'false';
  if (filters.sort !== 'created_desc') params.sort = filters.sort;
  return params;
}

export function apiQuery(filters: Filters): string {
  return new URLSearchParams(apiParams(filters)).toString();
}

/** API field name → page field name, to show an error next to the field that caused it. */
export function pageFieldOf(apiField: string): string {
  if (apiField === 'isTest') return 'mode';
  const found = Object.entries(PASS_THROUGH).find(([, apiName]) => apiName === apiField);
  return found ? found[0] : apiField;
}
