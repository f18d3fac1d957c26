// The order poll's windows are channel-kit's (orderPollWindows, shared with channel-amazon); the
// module and the orders int-spec take the margin from here.
export { ORDER_POLL_BOUNDARY_MARGIN_MS } from '@retail-mesh/channel-kit';
