// Asks for the user's own sign-in password before the server hands out a shop's passwords.
import { useState, type FormEvent } from 'react';
import { api, errorMessage } from '../../lib/api';
import { showFieldErrors, type FieldErrors } from '../../lib/forms';
import { commonTexts } from '../../lib/common.texts';
import { useTexts } from '../../lib/i18n';
import type { ShopPasswords } from '../../lib/types';
import { ErrorAlert, Modal, TextField } from '../../lib/ui';
import { shopTexts } from './shops.texts';

interface RevealPasswordsDialogProps {
  shopId: string;
  open: boolean;
  onClose: () => void;
  onRevealed: (passwords: ShopPasswords) => void;
}

export function RevealPasswordsDialog({ shopId, open, onClose, onRevealed }: RevealPasswordsDialogProps) {
  const t = useTexts(shopTexts);
  return (
    <Modal open={open} title={t('reveal.title')} onClose={onClose}>
      <RevealForm shopId={shopId} onClose={onClose} onRevealed={onRevealed} />
    </Modal>
  );
}

function RevealForm({ shopId, onClose, onRevealed }: Omit<RevealPasswordsDialogProps, 'open'>) {
  const t = useTexts(shopTexts);
  const c = useTexts(commonTexts);
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setFailure(null);
    try {
      const path = `/api/cabinet/shops/${encodeURIComponent(shopId)}/passwords/reveal`;
      onRevealed(await api.post<ShopPasswords>(path, { password }));
      onClose();
    } catch (error) {
      setBusy(false);
      setFailure(errorMessage(error));
      showFieldErrors(error, setErrors, [['password', 'reveal-password']]);
    }
  }

  return (
    <form onSubmit={submit} noValidate>
      <p>{t('reveal.intro')}</p>
      <ErrorAlert message={failure} />
      <TextField
        id="reveal-password"
        type="password"
        label={t('reveal.password')}
        error={errors.password}
        value={password}
        onChange={(event) => setPassword(event.target.value)}
        autoComplete="current-password"
        autoFocus
      />
      <div className="actions">
        <button type="submit" className="button button-primary" disabled={busy} aria-busy={busy}>
          {t('reveal.submit')}
        </button>
        <button type="button" className="button" onClick={onClose}>
          {c('cancel')}
        </button>
      </div>
    </form>
  );
}
