import { Controller } from '@nestjs/common';
import { erpV1, MAX_CREATE_SALES_ORDERS_REQUESTS, toTimestamp } from '@retail-mesh/contracts';
import { answerEach, decodePageToken, pageOf, pageSizeOf, UnimplementedError } from '@retail-mesh/service-kit';
import { DataSource } from 'typeorm';
import { ErpStockPositionRepository } from './erp-stock/erp-stock-position.repository.js';
import { ErpStockService } from './erp-stock/erp-stock.service.js';
import { CHANGE_FEED, ChangeFeedService } from './change-feed/change-feed.service.js';
import { FeedCursorRepository } from './feed-cursor/feed-cursor.repository.js';
import { SalesOrderService } from './sales-orders/sales-order.service.js';

/**
 * retail.erp.v1.ErpService: the change feed's RPCs (status, the ERP stock as the feed reported
 * it, resync) and sales orders. Credit memos and journals come with returns and settlements and
 * answer UNIMPLEMENTED until then.
 */
@Controller()
@erpV1.ErpServiceControllerMethods()
export class ErpController implements erpV1.ErpServiceController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly cursors: FeedCursorRepository,
    private readonly changeFeed: ChangeFeedService,
    private readonly salesOrders: SalesOrderService,
    private readonly erpStock: ErpStockService,
    private readonly erpPositions: ErpStockPositionRepository,
  ) {}

  async getFeedStatus(): Promise<erpV1.GetFeedStatusResponse> {
    const cursor = await this.cursors.load(this.dataSource.manager, CHANGE_FEED);
    const status = this.changeFeed.status();
    return {
      lastVersion: cursor.lastVersion,
      lastPolledAt: status.lastPolledAt === null ? undefined : toTimestamp(status.lastPolledAt),
      lastChangeAt: cursor.lastChangeAt === null ? undefined : toTimestamp(cursor.lastChangeAt),
      pendingDocuments: await this.salesOrders.pendingCount(),
      lastError: status.lastError,
    };
  }

  async resyncStock(request: erpV1.ResyncStockRequest): Promise<erpV1.ResyncStockResponse> {
    return { publishedCount: await this.erpStock.resync(request.skus) };
  }

  /** The ERP's on-hand as its change feed last reported it (ListErpStock does not call the ERP). */
  async listErpStock(request: erpV1.ListErpStockRequest): Promise<erpV1.ListErpStockResponse> {
    const pageSize = pageSizeOf(request.page);
    const after = decodePageToken(request.page?.pageToken, 2);
    const rows = await this.erpPositions.list(
      this.dataSource.manager,
      { skus: request.skus, locationId: request.locationId },
      after && { sku: String(after[0]), locationId: String(after[1]) },
      pageSize + 1,
    );
    const page = pageOf(rows, pageSize, (row) => [row.sku, row.locationId]);
    return {
      positions: page.items.map((row) => ({ sku: row.sku, locationId: row.locationId, onHand: row.onHand, version: row.version })),
      page: { nextPageToken: page.nextPageToken },
    };
  }

  createSalesOrder(request: erpV1.CreateSalesOrderRequest): Promise<erpV1.CreateSalesOrderResponse> {
    return this.salesOrders.create(request);
  }

  /** Each request as CreateSalesOrder answers it; their link claims and outcomes share transactions, their ERP calls run at once. */
  async createSalesOrders(request: erpV1.CreateSalesOrdersRequest): Promise<erpV1.CreateSalesOrdersResponse> {
    return { results: await answerEach(request.requests, MAX_CREATE_SALES_ORDERS_REQUESTS, (one) => this.salesOrders.create(one)) };
  }

  getSalesOrder(request: erpV1.GetSalesOrderRequest): Promise<erpV1.GetSalesOrderResponse> {
    return this.salesOrders.get(request);
  }

  createCreditMemo(): never {
    throw notImplemented('CreateCreditMemo');
  }

  recordJournal(): never {
    throw notImplemented('RecordJournal');
  }
}

function notImplemented(method: string): UnimplementedError {
  return new UnimplementedError('not_implemented', `${method} is not implemented yet`);
}
