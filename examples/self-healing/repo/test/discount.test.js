const assert = require('node:assert/strict');
const { test } = require('node:test');
const { applyDiscount } = require('../src/discount');

test('10% off 100 is 90', () => {
  assert.equal(applyDiscount(100, 10), 90);
});

test('25% off 19.99 is 14.99', () => {
  assert.equal(applyDiscount(19.99, 25), 14.99);
});

test('0% off leaves the price alone', () => {
  assert.equal(applyDiscount(42, 0), 42);
});

test('percentages outside 0..100 are refused', () => {
  assert.throws(() => applyDiscount(10, 120), RangeError);
  assert.throws(() => applyDiscount(10, -5), RangeError);
});
