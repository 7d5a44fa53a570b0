// Small DOM helpers. Renderers write only what changed: setText and setClass
// remember the last value on the element, so a frame that changes nothing
// touches nothing.

export function $(sel, root = document) { return root.querySelector(sel); }

// h('div', {class: 'x', testid: 'y', text: 'z', attrs: {role: 'list'}}, child…)
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  if (props.class) el.className = props.class;
  if (props.testid) el.dataset.testid = props.testid;
  if (props.text != null) el.textContent = props.text;
  if (props.attrs) for (const [k, v] of Object.entries(props.attrs)) el.setAttribute(k, v);
  if (props.on) for (const [k, v] of Object.entries(props.on)) el.addEventListener(k, v);
  for (const c of children) if (c != null) el.append(c);
  return el;
}

export function setText(el, text) {
  const s = String(text);
  if (el.__text !== s) { el.__text = s; el.textContent = s; }
}

export function setAttr(el, name, value) {
  const key = '__a_' + name;
  if (el[key] !== value) { el[key] = value; el.setAttribute(name, value); }
}

export function setClass(el, cls, on) {
  const key = '__c_' + cls;
  if (el[key] !== on) { el[key] = on; el.classList.toggle(cls, on); }
}

export function show(el, on) {
  if (el.hidden === on) el.hidden = !on;
}

// pool keeps up to max reusable children of container, made by make(), and
// fills the first items.length of them with fill(el, item, i); the rest are
// hidden. Rows are created once and rewritten in place.
export function pool(container, make) {
  const els = [];
  return function render(items, fill) {
    while (els.length < items.length) {
      const el = make();
      els.push(el);
      container.append(el);
    }
    for (let i = 0; i < els.length; i++) {
      const on = i < items.length;
      show(els[i], on);
      if (on) fill(els[i], items[i], i);
    }
  };
}
