// The form that creates a payment link: shop, amount, description, one-time or reusable, expiry, test.
import { useState, type FormEvent } from 'react';
import { api, ApiError, errorMessage } from '../../lib/api';
import { showFieldErrors, type FieldErrors } from '../../lib/forms';
import { useTexts } from '../../lib/i18n';
import type { Shop } from '../../lib/types';
import { CheckboxField, ErrorAlert, RadioGroupField, SelectField, TextField } from '../../lib/ui';
import type { InvoiceDetails, InvoiceType } from './invoice.types';
import { invoiceTexts } from './invoices.texts';

const FIELD_ORDER = [
  ['amount', 'invoice-amount'],
  ['description', 'invoice-description'],
  ['expiresAt', 'invoice-expires'],
] as const;

/** datetime-local gives the user's wall-clock time without a zone; the server wants an instant. */
function toInstant(localValue: string): string | null {
  if (localValue === '') return null;
  const moment = new Date(localValue);
  return Number.isNaN(moment.getTime()) ? localValue : moment.toISOString();
}

export function InvoiceForm({
  shops,
  onCreated,
}: {
  shops: readonly Shop[];
  onCreated: (invoice: InvoiceDetails) => void;
}) {
  const t = useTexts(invoiceTexts);
  const [shopId, setShopId] = useState(shops[0]?.id ?? '');
  const [amount, setAmount] = useState('');
  const [description, setDescription] = useState('');
  const [invoiceType, setInvoiceType] = useState<InvoiceType>('OneTime');
  const [expiresAt, setExpiresAt] = useState('');
  // A shop that is not active yet takes test payments only, so its links start as test links.
  const [isTest, setIsTest] = useState(shops[0]?.status !== 'active');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [isSending, setSending] = useState(false);

  function chooseShop(id: string) {
    setShopId(id);
    setIsTest(shops.find((shop) => shop.id === id)?.status !== 'active');
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setSending(true);
    setFailure(null);
    try {
      const created = await api.post<InvoiceDetails>('/api/cabinet/invoices', {
        shopId,
        invoiceType,
        amount: amount.trim(),
        description,
        expiresAt: toInstant(expiresAt),
        isTest,
      });
      setErrors({});
      setAmount('');
      setDescription('');
      setExpiresAt('');
      onCreated(created);
    } catch (error) {
      const fields = showFieldErrors(error, setErrors, FIELD_ORDER);
      if (!(error instanceof ApiError) || Object.keys(fields).length === 0) setFailure(errorMessage(error));
    } finally {
      setSending(false);
    }
  }

  return (
    <form className="card invoice-form" onSubmit={(event) => void submit(event)} noValidate>
      <h2>{t('form.title')}</h2>
      <ErrorAlert message={failure} />
      <div className="field-row">
        <SelectField
          id="invoice-shop"
          className="grow"
          label={t('form.shop')}
          value={shopId}
          options={shops.map((shop) => ({ value: shop.id, label: shop.name }))}
          onChange={chooseShop}
        />
        <TextField
          id="invoice-amount"
          label={t('form.amount')}
          hint={t('form.amountHint')}
          inputMode="decimal"
          autoComplete="off"
          value={amount}
          error={errors.amount}
          onChange={(event) => setAmount(event.target.value)}
        />
      </div>
      <TextField
        id="invoice-description"
        label={t('form.description')}
        hint={t('form.descriptionHint')}
        maxLength={100}
        value={description}
        error={errors.description}
        onChange={(event) => setDescription(event.target.value)}
      />
      <RadioGroupField
        id="invoice-type"
        name="invoiceType"
        label={t('form.type')}
        value={invoiceType}
        options={[
          { value: 'OneTime', label: t('form.type.OneTime') },
          { value: 'Reusable', label: t('form.type.Reusable') },
        ]}
        onChange={setInvoiceType}
      />
      <div className="field-row">
        <TextField
          id="invoice-expires"
          className="grow"
          type="datetime-local"
          label={t('form.expiresAt')}
          hint={t('form.expiresAtHint')}
          value={expiresAt}
          error={errors.expiresAt}
          onChange={(event) => setExpiresAt(event.target.value)}
        />
      </div>
      <CheckboxField
        id="invoice-test"
        label={t('form.isTest')}
        hint={t('form.isTestHint')}
        checked={isTest}
        onChange={setIsTest}
      />
      <div className="actions">
        <button type="submit" className="button button-primary" disabled={isSending} aria-busy={isSending}>
          {isSending ? t('form.sending') : t('form.submit')}
        </button>
      </div>
    </form>
  );
}
