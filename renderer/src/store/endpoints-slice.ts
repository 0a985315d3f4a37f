import type { ConversationSnapshot, EndpointSnapshot } from '../../../shared/endpoints';
import type { Slice } from './slice';

export interface EndpointsSlice {
  endpoints: Record<string, EndpointSnapshot>;
  /** Workspace order: creation order. */
  endpointOrder: string[];
  conversations: Record<string, ConversationSnapshot>;
}

export const createEndpointsSlice: Slice<EndpointsSlice> = () => ({
  endpoints: {},
  endpointOrder: [],
  conversations: {},
});

