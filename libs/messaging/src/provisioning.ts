// Idempotent creation of the streams of SPEC §6 and of durable pull consumers: every app calls these
// on start, so "create, or update to the declared configuration" is the only safe behaviour.
import {
  AckPolicy,
  DeliverPolicy,
  JetStreamApiError,
  type ConsumerConfig,
  type ConsumerInfo,
  type JetStreamManager,
  type StreamConfig,
  type StreamInfo,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import { durableNames, streamConfigs, subjects, type AgencyCode, type Topology } from '@caravan/contracts';

// JetStream API error codes (server `errors.json`).
const STREAM_NOT_FOUND = 10059;
const CONSUMER_NOT_FOUND = 10014;

function isApiError(error: unknown, code: number): boolean {
  return error instanceof JetStreamApiError && error.code === code;
}

/** Creates or updates CARAVAN_EVENTS and CARAVAN_SHARE of the topology. */
export async function ensureStreams(jsm: JetStreamManager, topology: Topology): Promise<StreamInfo[]> {
  const infos: StreamInfo[] = [];
  for (const declared of Object.values(streamConfigs(topology))) {
    const config = { ...declared, subjects: [...declared.subjects] } as Partial<StreamConfig> & { name: string };
    try {
      await jsm.streams.info(config.name);
      infos.push(await jsm.streams.update(config.name, config));
    } catch (error) {
      if (!isApiError(error, STREAM_NOT_FOUND)) throw error;
      infos.push(await jsm.streams.add(config));
    }
  }
  return infos;
}

/** A durable pull consumer as Caravan uses them: explicit ack, one filter subject. */
export interface DurableConsumerSpec {
  readonly stream: string;
  readonly durable: string;
  readonly filterSubject: string;
  /** Unacknowledged messages in flight; 1 keeps strict order across naks (the default). */
  readonly maxAckPending?: number;
  /** Redelivery when neither ack nor nak arrives; 30 s by default. */
  readonly ackWaitMs?: number;
  /** -1 (forever) by default: a transient failure must not lose a message. */
  readonly maxDeliver?: number;
  readonly deliverPolicy?: DeliverPolicy;
}

/** The consumer configuration sent to JetStream for a spec. */
export function consumerConfigFor(spec: DurableConsumerSpec): Partial<ConsumerConfig> {
  return {
    durable_name: spec.durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: spec.deliverPolicy ?? DeliverPolicy.All,
    filter_subject: spec.filterSubject,
    max_ack_pending: spec.maxAckPending ?? 1,
    ack_wait: nanos(spec.ackWaitMs ?? 30_000),
    max_deliver: spec.maxDeliver ?? -1,
  };
}

/** Creates the durable, or updates the settings JetStream lets change on an existing one. */
export async function ensureConsumer(jsm: JetStreamManager, spec: DurableConsumerSpec): Promise<ConsumerInfo> {
  const config = consumerConfigFor(spec);
  try {
    const info = await jsm.consumers.info(spec.stream, spec.durable);
    if (info.config.filter_subject !== spec.filterSubject) {
      // Changing what a durable reads would silently skip or replay history: make it a decision.
      throw new Error(
        `consumer ${spec.durable} on ${spec.stream} filters ${info.config.filter_subject ?? '(none)'}, not ${spec.filterSubject}`,
      );
    }
    const { max_ack_pending, ack_wait, max_deliver } = config;
    return await jsm.consumers.update(spec.stream, spec.durable, { max_ack_pending, ack_wait, max_deliver });
  } catch (error) {
    if (!isApiError(error, CONSUMER_NOT_FOUND)) throw error;
    return jsm.consumers.add(spec.stream, config);
  }
}

/** The hub-provisioned durable from which an agency reads its own copies (see deploy/nats/README.md). */
export function agencyShareConsumer(topology: Topology, agency: AgencyCode): DurableConsumerSpec {
  return {
    stream: streamConfigs(topology).share.name,
    durable: durableNames(topology).agency(agency),
    filterSubject: subjects(topology).shareFor(agency),
    // Agencies process copies independently of order; a larger window keeps their throughput up.
    maxAckPending: 1_000,
  };
}
