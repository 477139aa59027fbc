// kubernetes-models formats its validation messages with `localize.en` only; the full
// ajv-i18n package carries 24 languages that the render path would otherwise load.
import en from 'ajv-i18n/localize/en/index.js';
export default { en };
