import { Controller } from '@nestjs/common';
import { inventoryV1 } from '@retail-mesh/contracts';
import { decodePageToken, pageOf, pageSizeOf, toItemStatus } from '@retail-mesh/service-kit';
import { AvailabilityService } from '../availability/availability.service.js';
import { ChannelPolicyService } from '../channel-policy/channel-policy.service.js';
import { ReservationRepository } from '../reservations/reservation.repository.js';
import { ReservationService } from '../reservations/reservation.service.js';
import type { StockPositionEntity } from '../stock/stock-position.entity.js';
import { StockPositionRepository } from '../stock/stock-position.repository.js';
import { StockService } from '../stock/stock.service.js';
import { DataSource } from 'typeorm';
import {
  toAvailabilityMessage,
  toChannelPolicyInput,
  toChannelPolicyMessage,
  toConsumeRequest,
  toLineOperationRequest,
  toReservationKey,
  toReservationMessage,
  toReserveRequest,
  toShortageMessage,
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
    private readonly reservations: ReservationService,
    private readonly reservationRepository: ReservationRepository,
  ) {}

  async setStockPosition(request: inventoryV1.SetStockPositionRequest): Promise<inventoryV1.SetStockPositionResponse> {
    const { applied, position } = await this.stock.set(toStockChange(request));
    const [message] = await this.withReserved([position]);
    return { applied, position: message };
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
    return { positions: await this.withReserved(page.items), page: { nextPageToken: page.nextPageToken } };
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

  async reserveStock(request: inventoryV1.ReserveStockRequest): Promise<inventoryV1.ReserveStockResponse> {
    const { reservation, created } = await this.reservations.reserve(toReserveRequest(request));
    return { reservation: toReservationMessage(reservation), shortages: reservation.shortages.map(toShortageMessage), created };
  }

  async reserveStockBatch(request: inventoryV1.ReserveStockBatchRequest): Promise<inventoryV1.ReserveStockBatchResponse> {
    const outcomes = await this.reservations.reserveBatch(request.requests.map(toReserveRequest));
    return {
      results: outcomes.map((outcome) => {
        // A refusal carries the status ReserveStock would have answered (unexpected errors fail the whole batch).
        if (!outcome.ok) return { error: toItemStatus(outcome.error) };
        const { reservation, created } = outcome.result;
        return {
          response: { reservation: toReservationMessage(reservation), shortages: reservation.shortages.map(toShortageMessage), created },
        };
      }),
    };
  }

  async releaseReservation(request: inventoryV1.ReleaseReservationRequest): Promise<inventoryV1.ReleaseReservationResponse> {
    const reservation = await this.reservations.release(toLineOperationRequest(request, request.releaseId, request.reason));
    return { reservation: toReservationMessage(reservation) };
  }

  async consumeReservation(request: inventoryV1.ConsumeReservationRequest): Promise<inventoryV1.ConsumeReservationResponse> {
    const reservation = await this.reservations.consume(toConsumeRequest(request));
    return { reservation: toReservationMessage(reservation) };
  }

  async getReservation(request: inventoryV1.GetReservationRequest): Promise<inventoryV1.GetReservationResponse> {
    return { reservation: toReservationMessage(await this.reservations.get(toReservationKey(request))) };
  }

  /** The positions with the units active reservations hold at each. */
  private async withReserved(positions: StockPositionEntity[]): Promise<inventoryV1.StockPosition[]> {
    const held = await this.reservationRepository.heldBySkus(
      this.dataSource.manager,
      positions.map((position) => position.sku),
    );
    const heldAt = new Map(held.map((entry) => [`${entry.sku}\u0000${entry.locationId}`, entry.quantity]));
    return positions.map((position) => toStockPositionMessage(position, heldAt.get(`${position.sku}\u0000${position.locationId}`) ?? 0));
  }
}
