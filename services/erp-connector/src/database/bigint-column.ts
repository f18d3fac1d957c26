import type { ColumnOptions } from 'typeorm';

// int8 arrives from node-postgres as a string (it may exceed 2^53); our quantities and versions
// are safe integers by contract, so read them back as numbers on both databases.
export function bigintColumn(options: Omit<ColumnOptions, 'type' | 'transformer'> = {}): ColumnOptions {
  return {
    ...options,
    type: 'bigint',
    transformer: {
      to: (value: number | null | undefined) => value,
      from: (value: string | number | null) => (value === null ? null : Number(value)),
    },
  };
}
