// /cabinet/kyc: the account's questionnaire by legal form, its documents, its moderation status and the
// moderator's reasons next to the fields they concern. The server checks every number (INN, KPP,
// OGRN/OGRNIP, bank details) and answers field-level problems, shown next to each field.
import { useState, type ChangeEvent, type FormEvent } from 'react';
import { api, errorMessage } from '../../lib/api';
import { showFieldErrors, type FieldErrors } from '../../lib/forms';
import { defineTexts, useTexts } from '../../lib/i18n';
import { ErrorAlert, Loading, SuccessNotice, TextField, useDocumentTitle } from '../../lib/ui';
import { useResource } from '../../lib/use-resource';

interface KycDocument {
  id: string;
  kind: string;
  fileName: string;
  sizeBytes: number;
}

interface Questionnaire {
  legalForm: 'legal_entity' | 'sole_proprietor' | 'individual';
  status: 'draft' | 'submitted' | 'approved' | 'rejected';
  fieldNames: string[];
  fields: Record<string, string>;
  rejectionReasons: Record<string, string>;
  documents: KycDocument[];
}

const texts = defineTexts({
  ru: {
    title: 'Анкета',
    intro: 'Заполните анкету и приложите документы: модератор проверит их и ответит в сообщениях и по почте.',
    loading: 'Загружаем анкету…',
    'status.draft': 'Черновик',
    'status.submitted': 'На модерации',
    'status.approved': 'Одобрена',
    'status.rejected': 'Возвращена на исправление',
    status: 'Статус: {status}',
    reason: 'Замечание модератора: {reason}',
    save: 'Сохранить черновик',
    saved: 'Черновик сохранён.',
    submit: 'Отправить на модерацию',
    submitted: 'Анкета отправлена на модерацию.',
    documents: 'Документы',
    documentsHint: 'Сканы паспорта, свидетельства о регистрации, устава: PDF, JPEG или PNG до 5 МБ.',
    upload: 'Приложить документ',
    remove: 'Удалить',
    companyName: 'Наименование организации',
    fullName: 'ФИО',
    inn: 'ИНН',
    kpp: 'КПП',
    ogrn: 'ОГРН',
    ogrnip: 'ОГРНИП',
    legalAddress: 'Юридический адрес',
    postalAddress: 'Почтовый адрес',
    directorName: 'Руководитель (ФИО)',
    contactPhone: 'Контактный телефон',
    bik: 'БИК банка',
    settlementAccount: 'Расчётный счёт',
    correspondentAccount: 'Корреспондентский счёт',
    general: 'Общее',
  },
  en: {
    title: 'Questionnaire',
    intro:
      'Fill in the questionnaire and attach the documents: a moderator checks them and answers in messages and by e-mail.',
    loading: 'Loading the questionnaire…',
    'status.draft': 'Draft',
    'status.submitted': 'Under moderation',
    'status.approved': 'Approved',
    'status.rejected': 'Returned for corrections',
    status: 'Status: {status}',
    reason: 'Moderator’s remark: {reason}',
    save: 'Save draft',
    saved: 'The draft is saved.',
    submit: 'Submit for moderation',
    submitted: 'The questionnaire is submitted for moderation.',
    documents: 'Documents',
    documentsHint: 'Scans of the passport, registration certificate, charter: PDF, JPEG or PNG up to 5 MB.',
    upload: 'Attach a document',
    remove: 'Remove',
    companyName: 'Company name',
    fullName: 'Full name',
    inn: 'INN',
    kpp: 'KPP',
    ogrn: 'OGRN',
    ogrnip: 'OGRNIP',
    legalAddress: 'Legal address',
    postalAddress: 'Postal address',
    directorName: 'Director (full name)',
    contactPhone: 'Contact phone',
    bik: 'Bank BIK',
    settlementAccount: 'Settlement account',
    correspondentAccount: 'Correspondent account',
    general: 'General',
  },
});

/** The questionnaire's field names, which are also their label keys above. */
type FieldLabel =
  | 'companyName'
  | 'fullName'
  | 'inn'
  | 'kpp'
  | 'ogrn'
  | 'ogrnip'
  | 'legalAddress'
  | 'postalAddress'
  | 'directorName'
  | 'contactPhone'
  | 'bik'
  | 'settlementAccount'
  | 'correspondentAccount';

function readBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(reader.error ?? new Error('read failed'));
    reader.readAsDataURL(file);
  });
}

export function KycPage() {
  const t = useTexts(texts);
  useDocumentTitle(t('title'));
  const { resource, setData } = useResource<Questionnaire>('/api/cabinet/kyc');
  return (
    <>
      <h1>{t('title')}</h1>
      <p className="lead">{t('intro')}</p>
      {resource.status === 'loading' && <Loading label={t('loading')} />}
      {resource.status === 'failed' && <ErrorAlert message={resource.message} />}
      {resource.status === 'ready' && <KycForm questionnaire={resource.data} onChange={setData} />}
    </>
  );
}

function KycForm({
  questionnaire,
  onChange,
}: {
  questionnaire: Questionnaire;
  onChange: (next: Questionnaire) => void;
}) {
  const t = useTexts(texts);
  const [values, setValues] = useState<Record<string, string>>(questionnaire.fields);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const editable = questionnaire.status === 'draft' || questionnaire.status === 'rejected';
  const order = [...questionnaire.fieldNames, 'documents'].map((name) => [name, `kyc-${name}`] as const);
  const reasons = questionnaire.rejectionReasons;

  // keepValues: a document change must not wipe what the merchant typed but has not saved yet.
  async function run(action: () => Promise<Questionnaire>, done: string, keepValues = false) {
    setFailure(null);
    setNotice(null);
    setBusy(true);
    try {
      const next = await action();
      setErrors({});
      onChange(next);
      if (!keepValues) setValues(next.fields);
      setNotice(done);
    } catch (error) {
      setFailure(errorMessage(error));
      showFieldErrors(error, setErrors, order);
    } finally {
      setBusy(false);
    }
  }

  const save = () => api.put<Questionnaire>('/api/cabinet/kyc', values);
  async function submit(event: FormEvent) {
    event.preventDefault();
    await run(async () => {
      await save();
      return api.post<Questionnaire>('/api/cabinet/kyc/submission', {});
    }, t('submitted'));
  }

  async function upload(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (!file) return;
    await run(
      async () => {
        await api.post('/api/cabinet/kyc/documents', {
          kind: 'registration_certificate',
          fileName: file.name,
          contentBase64: await readBase64(file),
        });
        return api.get<Questionnaire>('/api/cabinet/kyc');
      },
      file.name,
      true,
    );
  }

  async function remove(document: KycDocument) {
    await run(
      async () => {
        await api.delete(`/api/cabinet/kyc/documents/${encodeURIComponent(document.id)}`);
        return api.get<Questionnaire>('/api/cabinet/kyc');
      },
      document.fileName,
      true,
    );
  }

  return (
    <form className="card" onSubmit={submit} noValidate>
      <p data-testid="kyc-status">{t('status', { status: t(`status.${questionnaire.status}`) })}</p>
      {reasons.general && <p className="error">{t('reason', { reason: reasons.general })}</p>}
      <ErrorAlert message={failure} />
      <SuccessNotice message={notice} />
      {questionnaire.fieldNames.map((name) => (
        <TextField
          key={name}
          id={`kyc-${name}`}
          label={t(name as FieldLabel)}
          hint={reasons[name] ? t('reason', { reason: reasons[name] }) : undefined}
          error={errors[name]}
          value={values[name] ?? ''}
          disabled={!editable}
          maxLength={300}
          onChange={(event) => setValues((current) => ({ ...current, [name]: event.target.value }))}
        />
      ))}
      <fieldset>
        <legend>{t('documents')}</legend>
        <p className="hint">{t('documentsHint')}</p>
        {reasons.documents && <p className="error">{t('reason', { reason: reasons.documents })}</p>}
        <ul>
          {questionnaire.documents.map((document) => (
            <li key={document.id}>
              <a href={`/api/cabinet/kyc/documents/${encodeURIComponent(document.id)}`}>
                {document.fileName}
              </a>{' '}
              {editable && (
                <button
                  type="button"
                  className="button"
                  onClick={() => void remove(document)}
                  disabled={busy}
                >
                  {t('remove')}
                </button>
              )}
            </li>
          ))}
        </ul>
        {errors.documents && <p className="error">{errors.documents}</p>}
        {editable && (
          <label className="field">
            {t('upload')}
            <input
              id="kyc-documents"
              type="file"
              accept="application/pdf,image/jpeg,image/png"
              onChange={(event) => void upload(event)}
              disabled={busy}
            />
          </label>
        )}
      </fieldset>
      {editable && (
        <div className="actions">
          <button type="submit" className="button button-primary" disabled={busy} aria-busy={busy}>
            {t('submit')}
          </button>
          <button type="button" className="button" disabled={busy} onClick={() => void run(save, t('saved'))}>
            {t('save')}
          </button>
        </div>
      )}
    </form>
  );
}
