// Every string of the dashboard exists in English and in Spanish, and
// durations are written in each language's format.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { keysOf, setLang, duration, t } from '../../internal/dashboard/assets/i18n.js';

describe('i18n', () => {
  it('has the same keys in English and Spanish', () => {
    const en = keysOf('en');
    const es = keysOf('es');
    assert.ok(en.length > 50);
    assert.deepEqual(en.filter((k) => !es.includes(k)), [], 'missing in Spanish');
    assert.deepEqual(es.filter((k) => !en.includes(k)), [], 'missing in English');
  });

  it('writes durations in whole seconds, tenths when asked, and minutes past one', () => {
    setLang('en');
    assert.equal(duration(4_290), '4 s');
    assert.equal(duration(4_290, true), '4.2 s');
    assert.equal(duration(-5, true), '0.0 s');
    assert.equal(duration(125_000), '2 min 05 s');
    assert.equal(duration(3_725_000), '1 h 02 min');
    setLang('es');
    assert.equal(duration(4_290, true), '4,2 s');
    assert.equal(t('elapsedFinal', { t: duration(4_290, true) }), 'listo en 4,2 s');
    setLang('en');
  });
});
