// Texts used by more than one feature: shared buttons, roles and the like.
import { defineTexts } from './i18n';

export const commonTexts = defineTexts({
  ru: {
    loading: 'Загрузка…',
    cancel: 'Отмена',
    signOut: 'Выйти',
    languageSwitch: 'Язык интерфейса',
    'role.administrator': 'Администратор',
    'role.accountant': 'Бухгалтер',
    'role.developer': 'Разработчик',
    'role.viewer': 'Наблюдатель',
  },
  en: {
    loading: 'Loading…',
    cancel: 'Cancel',
    signOut: 'Sign out',
    languageSwitch: 'Interface language',
    'role.administrator': 'Administrator',
    'role.accountant': 'Accountant',
    'role.developer': 'Developer',
    'role.viewer': 'Viewer',
  },
});
