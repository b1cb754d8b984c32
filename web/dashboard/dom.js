// @ts-check
/** Building the page: text goes in with textContent, never as markup. */
const svgNs = "http://www.w3.org/2000/svg";

/** @param {string} id */
export const $ = (id) => {
  const node = document.getElementById(id);
  if (node === null) throw new Error(`#${id} is missing from the page`);
  return node;
};

/**
 * @param {string} tag
 * @param {string | number | null} [text]
 * @param {Record<string, string>} [attributes]
 */
export function el(tag, text, attributes = {}) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
}

/**
 * @param {string} tag
 * @param {Record<string, string | number>} attributes
 * @param {string | number} [text]
 */
export function svg(tag, attributes, text) {
  const node = document.createElementNS(svgNs, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = String(text);
  return node;
}
