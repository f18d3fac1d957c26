import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The price list a channel account shows. Keyed by the account: an account uses one list. */
@Entity({ name: 'price_list_accounts' })
export class PriceListAccountEntity {
  @PrimaryColumn({ name: 'channel_account_id', type: 'varchar', length: 100 })
  channelAccountId!: string;

  @Column({ name: 'price_list_id', type: 'varchar', length: 64 })
  priceListId!: string;
}
