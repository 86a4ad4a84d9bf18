// The five shop passwords: masked until revealed, each with a field for a new one and a generator.
import type { FieldErrors } from '../../lib/forms';
import { useTexts } from '../../lib/i18n';
import { SHOP_PASSWORD_NAMES, type ShopPasswordName, type ShopPasswords } from '../../lib/types';
import { TextField } from '../../lib/ui';
import { generateShopPassword } from './generate-password';
import { shopTexts } from './shops.texts';

interface ShopPasswordsBlockProps {
  canWrite: boolean;
  canReveal: boolean;
  revealed: ShopPasswords | null;
  newPasswords: ShopPasswords;
  errors: FieldErrors;
  onNewPassword: (name: ShopPasswordName, value: string) => void;
  onReveal: () => void;
  onHide: () => void;
}

export function ShopPasswordsBlock(props: ShopPasswordsBlockProps) {
  const { canWrite, canReveal, revealed, onReveal, onHide } = props;
  const t = useTexts(shopTexts);
  return (
    <div className="subsection" role="group" aria-labelledby="passwords-title">
      <div className="subsection-head">
        <h3 id="passwords-title">{t('passwords.title')}</h3>
        {canReveal &&
          (revealed ? (
            <button type="button" className="button" onClick={onHide}>
              {t('passwords.hide')}
            </button>
          ) : (
            <button type="button" className="button" onClick={onReveal}>
              {t('passwords.reveal')}
            </button>
          ))}
      </div>
      <p className="muted">{t('passwords.intro')}</p>
      {canWrite && <p className="muted">{t('newPassword.hint')}</p>}
      {SHOP_PASSWORD_NAMES.map((name) => (
        <PasswordRow key={name} name={name} {...props} />
      ))}
    </div>
  );
}

function PasswordRow({
  name,
  canWrite,
  revealed,
  newPasswords,
  errors,
  onNewPassword,
}: ShopPasswordsBlockProps & { name: ShopPasswordName }) {
  const t = useTexts(shopTexts);
  const current = revealed ? revealed[name] || t('passwords.notSet') : t('passwords.masked');
  return (
    <div className="password-row">
      <dl className="password-current">
        <dt>{t(`password.${name}`)}</dt>
        <dd>
          <code className={revealed ? 'secret revealed' : 'secret'}>{current}</code>
        </dd>
      </dl>
      {canWrite && (
        <div className="field-row">
          <TextField
            id={`tech-${name}`}
            className="grow"
            label={t(`newPassword.${name}`)}
            error={errors[name]}
            value={newPasswords[name]}
            onChange={(event) => onNewPassword(name, event.target.value)}
            autoComplete="off"
            autoCapitalize="none"
            spellCheck={false}
          />
          <button
            type="button"
            className="button align-end"
            aria-label={t(`generate.${name}`)}
            onClick={() => onNewPassword(name, generateShopPassword())}
          >
            {t('generate')}
          </button>
        </div>
      )}
    </div>
  );
}
