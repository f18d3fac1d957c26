import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { catalogV1 } from '@retail-mesh/contracts';
import { ProductsService } from './products.service.js';

const SERVICE = catalogV1.CATALOG_SERVICE_NAME;

@Controller()
export class ProductsController implements Pick<
  catalogV1.CatalogServiceController,
  'upsertProduct' | 'getProduct' | 'listProducts' | 'getVariant'
> {
  constructor(private readonly products: ProductsService) {}

  @GrpcMethod(SERVICE, 'upsertProduct')
  async upsertProduct(request: catalogV1.UpsertProductRequest): Promise<catalogV1.UpsertProductResponse> {
    return { product: await this.products.upsertProduct(request.product) };
  }

  @GrpcMethod(SERVICE, 'getProduct')
  async getProduct(request: catalogV1.GetProductRequest): Promise<catalogV1.GetProductResponse> {
    return { product: await this.products.getProduct(request.productId) };
  }

  @GrpcMethod(SERVICE, 'listProducts')
  listProducts(request: catalogV1.ListProductsRequest): Promise<catalogV1.ListProductsResponse> {
    return this.products.listProducts(request);
  }

  @GrpcMethod(SERVICE, 'getVariant')
  getVariant(request: catalogV1.GetVariantRequest): Promise<catalogV1.GetVariantResponse> {
    return this.products.getVariant(request.sku);
  }
}
