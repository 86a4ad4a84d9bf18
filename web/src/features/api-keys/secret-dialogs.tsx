// Dialogs the API keys page shares: a secret shown once with a copy button, and a confirmation.
import { useState } from 'react';
import { errorMessage } from '../../lib/api';
import { useTexts } from '../../lib/i18n';
import { ErrorAlert, Modal } from '../../lib/ui';
import { apiKeysTexts } from './api-keys.texts';

interface SecretDialogProps {
  title: string;
  text: string;
  secret: string | null;
  onClose: () => void;
}

/** The secret stays on screen until the user closes the dialog; nothing keeps it afterwards. */
export function SecretDialog({ title, text, secret, onClose }: SecretDialogProps) {
  const t = useTexts(apiKeysTexts);
  const [copyState, setCopyState] = useState<'idle' | 'copied' | 'failed'>('idle');

  async function copy() {
    try {
      await navigator.clipboard.writeText(secret ?? '');
      setCopyState('copied');
    } catch {
      // Clipboard access needs a secure context and permission; the text stays selectable either way.
      setCopyState('failed');
    }
  }

  function close() {
    setCopyState('idle');
    onClose();
  }

  return (
    <Modal open={secret !== null} title={title} onClose={close}>
      <p>{text}</p>
      <p>
        <code className="secret revealed api-secret">{secret}</code>
      </p>
      {copyState === 'failed' && <ErrorAlert message={t('copyFailed')} />}
      <div className="actions">
        <button type="button" className="button" onClick={() => void copy()}>
          {copyState === 'copied' ? t('copied') : t('copy')}
        </button>
        <button type="button" className="button button-primary" onClick={close}>
          {t('done')}
        </button>
      </div>
      <p className="visually-hidden" role="status">
        {copyState === 'copied' ? t('copied') : ''}
      </p>
    </Modal>
  );
}

interface ConfirmDialogProps {
  open: boolean;
  title: string;
  text: string;
  confirmLabel: string;
  isDanger?: boolean;
  onConfirm: () => Promise<void>;
  onClose: () => void;
}

/** Asks before an action that cannot be undone; shows the server's error inside the dialog. */
export function ConfirmDialog(props: ConfirmDialogProps) {
  const { open, title, text, confirmLabel, isDanger, onConfirm, onClose } = props;
  const t = useTexts(apiKeysTexts);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);

  async function confirm() {
    setBusy(true);
    setFailure(null);
    try {
      await onConfirm();
      onClose();
    } catch (error) {
      setFailure(errorMessage(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal open={open} title={title} onClose={onClose}>
      <p>{text}</p>
      <ErrorAlert message={failure} />
      <div className="actions">
        <button
          type="button"
          className={isDanger ? 'button button-danger' : 'button button-primary'}
          disabled={busy}
          aria-busy={busy}
          onClick={() => void confirm()}
        >
          {confirmLabel}
        </button>
        <button type="button" className="button" onClick={onClose}>
          {t('cancel')}
        </button>
      </div>
    </Modal>
  );
}
