// The scanner's texts in the page's language, the gettext way: the French text is
// the key, `_("Code inconnu")`, `_("Consigne encaissée : %(amount)s", { amount })`,
// `ngettext("%(num)s accepté", "%(num)s acceptés", n)`. `pybabel extract` reads
// these calls into the app's messages.po, with the pages' texts; the compile step
// (`make translations`) writes this locale's translations as JSON, which the /scan
// page carries (#scan-i18n). A text missing from it is shown in French.

const catalogue = JSON.parse(document.getElementById("scan-i18n")?.textContent || "{}");
// Two plural forms (French, English): gettext's first form is Intl's "one".
const plural = new Intl.PluralRules(document.documentElement.lang || "fr");

/** Fill %(name)s fields, as Python's `%` does for gettext's messages. */
function fill(text, params) {
  return text.replace(/%(?:\((\w+)\))?([sd%])/g, (field, name, kind) => {
    if (kind === "%") return "%";
    return name !== undefined && Object.hasOwn(params, name) ? String(params[name]) : field;
  });
}

/** The text in the page's language, its %(fields)s filled from `params`. */
export function _(msgid, params = {}) {
  const found = Object.hasOwn(catalogue, msgid) ? catalogue[msgid] : null;
  return fill(typeof found === "string" ? found : msgid, params);
}

/** The singular or plural text for `num` (also its %(num)s field). */
export function ngettext(singular, pluralText, num, params = {}) {
  const forms = Object.hasOwn(catalogue, singular) ? catalogue[singular] : null;
  const one = plural.select(num) === "one";
  const text = Array.isArray(forms) ? forms[one ? 0 : forms.length - 1] : one ? singular : pluralText;
  return fill(text, { num, ...params });
}
