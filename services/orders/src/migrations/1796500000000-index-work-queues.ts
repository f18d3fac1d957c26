import { TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * One index per work queue, in claim order: the intake worker claims RECEIVED and VALIDATED
 * orders, the ERP window RESERVED ones, each oldest due first (`ORDER BY work_due_at, order_id`).
 * The single index on work_due_at served neither: a claim read every due order of both queues
 * and sorted them, so under a backlog each claim cost a pass over the backlog. A partial index per
 * queue on (work_due_at, order_id) holds only that queue's orders, in claim order: a claim never
 * reads the other queue's backlog, and the planner can stop at the claim's limit.
 */
export class IndexWorkQueues1796500000000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('orders', 'orders_work_due');
    for (const index of WORK_QUEUE_INDEXES) await queryRunner.createIndex('orders', index);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const index of WORK_QUEUE_INDEXES) await queryRunner.dropIndex('orders', index);
    await queryRunner.createIndex('orders', new TableIndex({ name: 'orders_work_due', columnNames: ['work_due_at'] }));
  }
}

const WORK_QUEUE_INDEXES = [
  new TableIndex({ name: 'orders_intake_due', columnNames: ['work_due_at', 'order_id'], where: `state IN ('RECEIVED', 'VALIDATED')` }),
  new TableIndex({ name: 'orders_erp_due', columnNames: ['work_due_at', 'order_id'], where: `state = 'RESERVED'` }),
];
