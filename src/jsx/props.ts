// The props framework typings give the three tags: every settable property of the element (read-only
// state left out), and a listener for every `janus-*` event with its typed detail.
import type { LitElement } from 'lit';
import type { JanusPublisher } from '../components/janus-publisher/janus-publisher.js';
import type { JanusStats } from '../components/janus-stats/janus-stats.js';
import type { JanusViewer } from '../components/janus-viewer/janus-viewer.js';

type IfEquals<X, Y, A, B> = (<T>() => T extends X ? 1 : 2) extends <T>() => T extends Y ? 1 : 2 ? A : B;

/** Keys of T that can be assigned (getters without setters and `readonly` fields are left out). */
type WritableKeys<T> = {
  [K in keyof T]-?: IfEquals<{ [Q in K]: T[K] }, { -readonly [Q in K]: T[K] }, K, never>;
}[keyof T];

type MethodKeys<T> = { [K in keyof T]-?: T[K] extends (...args: never[]) => unknown ? K : never }[keyof T];

/** The element's own settable properties, minus those it documents as read-only. */
export type ElementProps<E, ReadOnly extends keyof E = never> = Partial<
  Pick<E, Exclude<WritableKeys<E>, keyof LitElement | MethodKeys<E> | ReadOnly>>
>;

type JanusEventType = Extract<keyof GlobalEventHandlersEventMap, `janus-${string}`>;

type CamelCase<S extends string> = S extends `${infer Head}-${infer Tail}`
  ? `${Capitalize<Head>}${CamelCase<Tail>}`
  : Capitalize<S>;

/** React 19 adds a listener for a custom element prop named `on` + the exact event name. */
export type ReactEventProps = {
  [K in JanusEventType as `on${K}`]?: (event: GlobalEventHandlersEventMap[K]) => void;
};

/** Vue turns `onJanusState` into a listener for `janus-state`. */
export type VueEventProps = {
  [K in JanusEventType as `on${CamelCase<K>}`]?: (event: GlobalEventHandlersEventMap[K]) => void;
};

export type JanusPublisherProps = ElementProps<JanusPublisher, 'state' | 'error' | 'feedId'>;
export type JanusViewerProps = ElementProps<JanusViewer, 'state' | 'error' | 'currentQuality'>;
export type JanusStatsProps = ElementProps<JanusStats, 'quality'>;
