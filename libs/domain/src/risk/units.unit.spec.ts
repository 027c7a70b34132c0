import { normaliseQuantity } from './units.js';

describe('normaliseQuantity', () => {
  it('turns grams into kilograms: 2500 g = 2500 / 1000 = 2.5 kg', () => {
    expect(normaliseQuantity(2500, 'g')).toEqual({ quantity: 2.5, unit: 'kg' });
  });

  it('turns millilitres into litres: 750 ml = 750 / 1000 = 0.75 l', () => {
    expect(normaliseQuantity(750, 'ml')).toEqual({ quantity: 0.75, unit: 'l' });
  });

  it('keeps kg, l, tablets, units and persons as they are', () => {
    expect(normaliseQuantity(3, 'kg')).toEqual({ quantity: 3, unit: 'kg' });
    expect(normaliseQuantity(4, 'l')).toEqual({ quantity: 4, unit: 'l' });
    expect(normaliseQuantity(1200, 'tablets')).toEqual({ quantity: 1200, unit: 'tablets' });
    expect(normaliseQuantity(7, 'units')).toEqual({ quantity: 7, unit: 'units' });
    expect(normaliseQuantity(2, 'persons')).toEqual({ quantity: 2, unit: 'persons' });
  });
});
