// The most requests one call of a batch RPC takes, as the proto comments state ("At most 500
// requests"): servers refuse more, clients split what they send at this size.

/** OrdersService.SubmitOrders. */
export const MAX_SUBMIT_ORDERS_REQUESTS = 500;
/** ErpService.CreateSalesOrders. */
export const MAX_CREATE_SALES_ORDERS_REQUESTS = 500;
