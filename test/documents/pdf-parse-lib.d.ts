// pdf-parse's entry file runs a self-test when imported as ESM, so the tests import its library file,
// which @types/pdf-parse does not describe; it is the same function.
declare module 'pdf-parse/lib/pdf-parse.js' {
  import pdf from 'pdf-parse';
  export default pdf;
}
