import { defineTexts } from '../../lib/i18n';

export const dispatchTexts = defineTexts({
  ru: {
    nav: 'Документы почтой',
    title: 'Документы на отправку почтой',
    intro:
      'Бумажные документы мерчантов, выбравших бумажный документооборот. Отправьте их и запишите дату и трек-номер: мерчант увидит статус «Отправлен почтой».',
    loading: 'Загружаем…',
    empty: 'Все бумажные документы отправлены.',
    date: 'Дата отправки',
    tracking: 'Трек-номер',
    submit: 'Записать отправку',
  },
  en: {
    nav: 'Documents by post',
    title: 'Documents to post',
    intro:
      'Paper documents of merchants who chose paper document flow. Post them and record the date and tracking number: the merchant sees them as posted.',
    loading: 'Loading…',
    empty: 'Every paper document has been posted.',
    date: 'Date posted',
    tracking: 'Tracking number',
    submit: 'Record the dispatch',
  },
});
