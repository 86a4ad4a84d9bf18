/** Errors of support tickets and feedback, and the field problems their forms show. */
import { defineErrors, type FieldProblem } from '../../platform/http/errors.js';

export const supportErrors = defineErrors({
  ticketNotFound: { status: 404, ru: 'Обращение не найдено.', en: 'Support request not found.' },
  attachmentNotFound: { status: 404, ru: 'Файл не найден.', en: 'File not found.' },
  feedbackNotFound: { status: 404, ru: 'Отзыв не найден.', en: 'Feedback not found.' },
  shopNotFound: { status: 404, ru: 'Магазин не найден.', en: 'Shop not found.' },
  operationNotFound: { status: 404, ru: 'Операция не найдена.', en: 'Operation not found.' },
  cannedAnswerNotFound: { status: 404, ru: 'Шаблон ответа не найден.', en: 'Canned answer not found.' },
});

export const supportProblems = {
  required: {
    code: 'required',
    text: { ru: 'Заполните это поле.', en: 'Fill in this field.' },
  },
  tooLong: {
    code: 'too_long',
    text: { ru: 'Не длиннее {max} символов.', en: 'At most {max} characters.' },
  },
  operationOfOtherShop: {
    code: 'operation_of_other_shop',
    text: {
      ru: 'Эта операция относится к другому магазину.',
      en: 'This operation belongs to another shop.',
    },
  },
  tooManyFiles: {
    code: 'too_many_files',
    text: { ru: 'Не больше {max} файлов в одном сообщении.', en: 'At most {max} files per message.' },
  },
  fileTooLarge: {
    code: 'file_too_large',
    text: {
      ru: 'Файл «{name}» больше {maxMb} МБ.',
      en: 'The file "{name}" is larger than {maxMb} MB.',
    },
  },
  fileEmpty: {
    code: 'file_empty',
    text: { ru: 'Файл «{name}» пустой.', en: 'The file "{name}" is empty.' },
  },
  fileNotBase64: {
    code: 'file_unreadable',
    text: {
      ru: 'Файл «{name}» передан повреждённым: выберите его ещё раз.',
      en: 'The file "{name}" arrived damaged: choose it again.',
    },
  },
  fileTypeNotAllowed: {
    code: 'file_type_not_allowed',
    text: {
      ru: 'Файл «{name}» не PNG, JPEG, PDF или текст: такие файлы не принимаются.',
      en: 'The file "{name}" is not a PNG, JPEG, PDF or plain text: such files are not accepted.',
    },
  },
  fileNameInvalid: {
    code: 'file_name_invalid',
    text: { ru: 'Укажите имя файла до 200 символов.', en: 'Give a file name of up to 200 characters.' },
  },
  invalidCursor: {
    code: 'invalid_cursor',
    text: {
      ru: 'Неверная ссылка на следующую страницу: начните список сначала.',
      en: 'The next-page reference is not valid: start the list again.',
    },
  },
  bodyInSomeLanguage: {
    code: 'body_required',
    text: {
      ru: 'Напишите текст хотя бы на одном языке.',
      en: 'Write the text in at least one language.',
    },
  },
  titleTaken: {
    code: 'title_taken',
    text: {
      ru: 'Шаблон с таким названием уже есть.',
      en: 'A canned answer with this title already exists.',
    },
  },
  notAnAgent: {
    code: 'not_an_agent',
    text: {
      ru: 'Назначить можно только активного сотрудника поддержки или администратора.',
      en: 'Only an active support agent or administrator can be assigned.',
    },
  },
  statusUnchanged: {
    code: 'status_unchanged',
    text: { ru: 'Обращение уже в этом статусе.', en: 'The request already has this status.' },
  },
} satisfies Record<string, FieldProblem>;
