import type { StateCreator } from 'zustand';
import type { State } from './store';

export type Slice<T> = StateCreator<State, [], [], T>;
