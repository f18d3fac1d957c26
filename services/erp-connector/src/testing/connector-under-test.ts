// The erp-connector's integration test setup: an ERP sandbox with stock for the SKUs the tests
// order, the connector on a test bed (its own schema or data directory and bus), started, and a
// gRPC client to it. Shared by the int specs that drive the connector through its ERP and its bus.
import { erpV1, grpcServices } from '@retail-mesh/contracts';
import { startErpSandbox, type ErpSandbox } from '@retail-mesh/sandbox-erp';
import { createGrpcClient, type GrpcClient, type RunningService } from '@retail-mesh/service-kit';
import { createServiceTestBed, type ServiceTestBed, type ServiceTestMode } from '@retail-mesh/service-kit/testing';
import { erpConnectorService } from '../erp-connector.definition.js';

export interface ConnectorUnderTestOptions {
  mode: ServiceTestMode;
  isolationPrefix: string;
  /** The connector's settings besides ERP_BASE_URL. */
  settings: Record<string, string>;
  /** SKUs given stock at WH-EAST in the sandbox (order lines need items the ERP knows). */
  skus: readonly string[];
  /** Sandbox set-up before the connector starts. */
  configureErp?: (erp: ErpSandbox) => void;
  /** Runs before the connector starts (bind the test's queues, so nothing it publishes is missed). */
  beforeStart?: (testBed: ServiceTestBed, erp: ErpSandbox) => Promise<void>;
}

export class ConnectorUnderTest {
  private constructor(
    readonly erp: ErpSandbox,
    readonly testBed: ServiceTestBed,
    readonly service: RunningService,
    readonly client: GrpcClient<erpV1.ErpServiceClient>,
  ) {}

  static async start(options: ConnectorUnderTestOptions): Promise<ConnectorUnderTest> {
    const erp = await startErpSandbox({ port: 0 });
    options.configureErp?.(erp);
    for (const sku of options.skus) erp.stock.setOnHand({ sku, location: 'WH-EAST', onHand: 100 });
    const testBed = await createServiceTestBed(erpConnectorService, {
      mode: options.mode,
      isolationPrefix: options.isolationPrefix,
      logLevel: 'silent',
      settings: { ERP_BASE_URL: erp.url, ...options.settings },
    });
    await options.beforeStart?.(testBed, erp);
    const service = await testBed.start();
    const client = createGrpcClient<erpV1.ErpServiceClient>(grpcServices.erpConnector, service.grpcUrl);
    return new ConnectorUnderTest(erp, testBed, service, client);
  }

  async close(): Promise<void> {
    this.client.close();
    await this.testBed.close();
    await this.erp.close();
  }
}
