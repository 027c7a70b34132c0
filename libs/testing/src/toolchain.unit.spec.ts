import 'reflect-metadata';
import { Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { IsInt, validateSync } from 'class-validator';
import { plainToInstance } from 'class-transformer';

@Injectable()
class Greeter {
  greet(): string {
    return 'salom';
  }
}
class Dto {
  @IsInt()
  n!: number;
}
describe('toolchain', () => {
  it('runs nest DI and class-validator under ESM jest', async () => {
    const mod = await Test.createTestingModule({ providers: [Greeter] }).compile();
    expect(mod.get(Greeter).greet()).toBe('salom');
    expect(validateSync(plainToInstance(Dto, { n: 'x' }))).toHaveLength(1);
  });
});
