import { Controller } from '@nestjs/common';
import { inventoryV1 } from '@retail-mesh/contracts';
import { decodePageToken, pageOf, pageSizeOf, UnimplementedError } from '@retail-mesh/service-kit';
import { AvailabilityService } from '../availability/availability.service.js';
import { ChannelPolicyService } from '../channel-policy/channel-policy.service.js';
import { StockPositionRepository } from '../stock/stock-position.repository.js';
import { StockService } from '../stock/stock.service.js';
import { DataSource } from 'typeorm';
import {
  toAvailabilityMessage,
  toChannelPolicyInput,
  toChannelPolicyMessage,
  toStockChange,
  toStockPositionMessage,
} from './inventory-grpc.mapper.js';

/** retail.inventory.v1.InventoryService. Errors thrown here are mapped to gRPC statuses by the service kit. */
@Controller()
@inventoryV1.InventoryServiceControllerMethods()
export class InventoryController implements inventoryV1.InventoryServiceController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly stock: StockService,
    private readonly positions: StockPositionRepository,
    private readonly policies: ChannelPolicyService,
    private readonly availability: AvailabilityService,
  ) {}

  async setStockPosition(request: inventoryV1.SetStockPositionRequest): Promise<inventoryV1.SetStockPositionResponse> {
    const { applied, position } = await this.stock.set(toStockChange(request));
    return { applied, position: toStockPositionMessage(position) };
  }

  async listStockPositions(request: inventoryV1.ListStockPositionsRequest): Promise<inventoryV1.ListStockPositionsResponse> {
    const pageSize = pageSizeOf(request.page);
    const after = decodePageToken(request.page?.pageToken, 2);
    const rows = await this.positions.list(
      this.dataSource.manager,
      { skus: request.skus, locationId: request.locationId },
      after && { sku: String(after[0]), locationId: String(after[1]) },
      pageSize + 1,
    );
    const page = pageOf(rows, pageSize, (row) => [row.sku, row.locationId]);
    return { positions: page.items.map(toStockPositionMessage), page: { nextPageToken: page.nextPageToken } };
  }

  async upsertChannelPolicy(request: inventoryV1.UpsertChannelPolicyRequest): Promise<inventoryV1.UpsertChannelPolicyResponse> {
    return { policy: toChannelPolicyMessage(await this.policies.upsert(toChannelPolicyInput(request.policy))) };
  }

  async getChannelPolicy(request: inventoryV1.GetChannelPolicyRequest): Promise<inventoryV1.GetChannelPolicyResponse> {
    return { policy: toChannelPolicyMessage(await this.policies.get(request.channelAccountId)) };
  }

  async listChannelPolicies(request: inventoryV1.ListChannelPoliciesRequest): Promise<inventoryV1.ListChannelPoliciesResponse> {
    const pageSize = pageSizeOf(request.page);
    const after = decodePageToken(request.page?.pageToken, 1);
    const policies = await this.policies.list(request.channel, after && String(after[0]), pageSize + 1);
    const page = pageOf(policies, pageSize, (policy) => [policy.channelAccountId]);
    return { policies: page.items.map(toChannelPolicyMessage), page: { nextPageToken: page.nextPageToken } };
  }

  async getAvailability(request: inventoryV1.GetAvailabilityRequest): Promise<inventoryV1.GetAvailabilityResponse> {
    return { availability: await this.availability.get(request.channelAccountId, request.sku) };
  }

  async listAvailability(request: inventoryV1.ListAvailabilityRequest): Promise<inventoryV1.ListAvailabilityResponse> {
    const pageSize = pageSizeOf(request.page);
    const after = decodePageToken(request.page?.pageToken, 1);
    const rows = await this.availability.list(request.channelAccountId, request.skus, after && String(after[0]), pageSize + 1);
    const page = pageOf(rows, pageSize, (row) => [row.sku]);
    return { availabilities: page.items.map(toAvailabilityMessage), page: { nextPageToken: page.nextPageToken } };
  }

  async republishAvailability(request: inventoryV1.RepublishAvailabilityRequest): Promise<inventoryV1.RepublishAvailabilityResponse> {
    return { publishedCount: await this.availability.republish(request.channelAccountId, request.skus) };
  }

  reserveStock(): never {
    throw reservationsNotYet('ReserveStock');
  }

  releaseReservation(): never {
    throw reservationsNotYet('ReleaseReservation');
  }

  consumeReservation(): never {
    throw reservationsNotYet('ConsumeReservation');
  }

  getReservation(): never {
    throw reservationsNotYet('GetReservation');
  }
}

function reservationsNotYet(method: string): UnimplementedError {
  return new UnimplementedError('not_implemented', `${method}: reservations arrive with order intake and are not implemented yet`);
}
