// The form that creates a safe deal: shop, amount, what is sold, the buyer's e-mail, deadline, language,
// test flag. The link goes to the buyer by e-mail; the merchant never sees it.
import { useState, type FormEvent } from 'react';
import { api, ApiError, errorMessage } from '../../lib/api';
import { showFieldErrors, type FieldErrors } from '../../lib/forms';
import { useTexts } from '../../lib/i18n';
import type { Shop } from '../../lib/types';
import { CheckboxField, ErrorAlert, RadioGroupField, SelectField, TextField } from '../../lib/ui';
import type { Deal } from './deal.types';
import { dealTexts } from './deals.texts';

const FIELD_ORDER = [
  ['amount', 'deal-amount'],
  ['description', 'deal-description'],
  ['buyerEmail', 'deal-buyer-email'],
  ['deadlineDays', 'deal-deadline'],
] as const;

/** An empty deadline takes the installation's default; anything else is sent for the server to check. */
function readDeadline(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  return /^\d+$/.test(trimmed) ? Number(trimmed) : Number.NaN;
}

export function DealForm({
  shops,
  defaultDeadlineDays,
  onCreated,
}: {
  shops: readonly Shop[];
  defaultDeadlineDays: number;
  onCreated: (deal: Deal) => void;
}) {
  const t = useTexts(dealTexts);
  const [shopId, setShopId] = useState(shops[0]?.id ?? '');
  const [amount, setAmount] = useState('');
  const [description, setDescription] = useState('');
  const [buyerEmail, setBuyerEmail] = useState('');
  const [deadline, setDeadline] = useState('');
  const [language, setLanguage] = useState<'ru' | 'en'>('ru');
  // A shop that is not active yet takes test payments only, so its deals start as test deals.
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
    const deadlineDays = readDeadline(deadline);
    if (Number.isNaN(deadlineDays)) {
      setSending(false);
      setErrors({ deadlineDays: t('form.deadlineDaysHint', { days: defaultDeadlineDays }) });
      document.getElementById('deal-deadline')?.focus();
      return;
    }
    try {
      const created = await api.post<Deal>('/api/cabinet/deals', {
        shopId,
        amount: amount.trim(),
        description,
        buyerEmail,
        ...(deadlineDays === undefined ? {} : { deadlineDays }),
        language,
        isTest,
      });
      setErrors({});
      setAmount('');
      setDescription('');
      setBuyerEmail('');
      setDeadline('');
      onCreated(created);
    } catch (error) {
      const fields = showFieldErrors(error, setErrors, FIELD_ORDER);
      if (!(error instanceof ApiError) || Object.keys(fields).length === 0) setFailure(errorMessage(error));
    } finally {
      setSending(false);
    }
  }

  return (
    <form className="card deal-form" onSubmit={(event) => void submit(event)} noValidate>
      <h2>{t('form.title')}</h2>
      <ErrorAlert message={failure} />
      <div className="field-row">
        <SelectField
          id="deal-shop"
          className="grow"
          label={t('form.shop')}
          value={shopId}
          options={shops.map((shop) => ({ value: shop.id, label: shop.name }))}
          onChange={chooseShop}
        />
        <TextField
          id="deal-amount"
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
        id="deal-description"
        label={t('form.description')}
        hint={t('form.descriptionHint')}
        maxLength={250}
        value={description}
        error={errors.description}
        onChange={(event) => setDescription(event.target.value)}
      />
      <div className="field-row">
        <TextField
          id="deal-buyer-email"
          className="grow"
          type="email"
          autoComplete="off"
          label={t('form.buyerEmail')}
          hint={t('form.buyerEmailHint')}
          value={buyerEmail}
          error={errors.buyerEmail}
          onChange={(event) => setBuyerEmail(event.target.value)}
        />
        <TextField
          id="deal-deadline"
          inputMode="numeric"
          label={t('form.deadlineDays')}
          hint={t('form.deadlineDaysHint', { days: defaultDeadlineDays })}
          placeholder={String(defaultDeadlineDays)}
          value={deadline}
          error={errors.deadlineDays}
          onChange={(event) => setDeadline(event.target.value)}
        />
      </div>
      <RadioGroupField
        id="deal-language"
        name="language"
        label={t('form.language')}
        value={language}
        options={[
          { value: 'ru', label: t('form.language.ru') },
          { value: 'en', label: t('form.language.en') },
        ]}
        onChange={setLanguage}
      />
      <CheckboxField
        id="deal-test"
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
