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

export const selectEndpoint = (id: string) => (s: EndpointsSlice) => s.endpoints[id];
export const selectConversation = (id: string | null | undefined) => (s: EndpointsSlice) =>
  id ? s.conversations[id] : undefined;
export const selectEndpointOrder = (s: EndpointsSlice) => s.endpointOrder;
