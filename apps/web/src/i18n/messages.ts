import type { zhCN } from './zh-CN';

type Shape<T> = { [K in keyof T]: T[K] extends string ? string : Shape<T[K]> };

/** The shape every language must fill: the Chinese catalogue (the default) is the reference. */
export type Messages = Shape<typeof zhCN>;
