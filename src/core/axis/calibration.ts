/**
 * How a turn's Assistant-Axis value is read (design.md, "Monitoring is not capping"): not against
 * the capping floor tau, which by construction sits above a quarter of normal assistant replies,
 * but against the axis's own held-out populations. A turn is in the `assistant` zone when it lies
 * within the range of normal default-Assistant replies, in the `role` zone when it is as low as
 * typical role-play, `drifting` in between. A turn the model cannot read (its surprise far above
 * the model's own replies') gets no zone at all: on text a model cannot model, its axis value is noise.
 */
import { fromPercentileTable, shareAtOrBelow } from '../stats/descriptive';
import type { AxisFile, Population } from './axisFile';

/** Where a turn sits between the model's default replies and its role-play replies. */
export type Zone = 'assistant' | 'drifting' | 'role';

/**
 * Percentile of the default population at and above which a turn reads `assistant`: 5, so about 5%
 * of normal assistant replies read `drifting` or worse (the false-alarm rate of "not assistant").
 */
export const ASSISTANT_PERCENTILE = 5;
/** The role population's centre: its median, "typical role-play". */
export const ROLE_PERCENTILE = 50;
/**
 * The role cut never sits above this percentile of the default population, so at most 1% of normal
 * assistant replies raise the red alarm even where the two populations overlap.
 */
export const ROLE_MAX_DEFAULT_PERCENTILE = 1;

/** A population a cut was read from, named for people and machines. */
export interface CutSource {
  /** What the population is, e.g. "held-out default-Assistant replies". */
  readonly population: string;
  /** How many replies; 0 when the file does not say (version 1). */
  readonly n: number;
  /** Percentile of that population the cut is, or the one it is halfway to (see `rule`). */
  readonly percentile: number;
}

/** The zone cuts at one layer, with the error rates that follow from the populations. */
export interface ZoneCuts {
  /** value >= assistantFrom: `assistant`. */
  readonly assistantFrom: number;
  /** value <= roleTo: `role`; null when the axis has no role population (version 1 files). */
  readonly roleTo: number | null;
  readonly assistantSource: CutSource;
  readonly roleSource: CutSource | null;
  /** How roleTo was placed: halfway between the role median and assistantFrom, or capped at the default p1. */
  readonly roleRule: 'midpoint' | 'default-p1' | null;
  /** The role population's median ("typical role-play"); null without a role population. */
  readonly roleMedian: number | null;
  /** Shares (0..1) read from the population tables. */
  readonly rates: {
    /** Default replies below assistantFrom (false "not assistant"). */
    readonly defaultNotAssistant: number;
    /** Default replies at or below roleTo (false alarms); null without a role cut. */
    readonly defaultInRole: number | null;
    /** Role replies at or below roleTo (detection); null without a role population. */
    readonly roleInRole: number | null;
    /** Role replies at or above assistantFrom (role-play that reads as assistant); null without a role population. */
    readonly roleInAssistant: number | null;
  };
}

/** The domain check: a turn whose surprise exceeds `limit` is out of the model's domain. */
export interface DomainCheck {
  /** Nats per token. */
  readonly limit: number;
  /** Median and 99th percentile of the model's own battery replies, and how many there were. */
  readonly ownMedian: number;
  readonly ownP99: number;
  readonly n: number;
}

/** Everything needed to read a value at one layer; plain data, so it travels to the panel and into exports. */
export interface Calibration {
  readonly layer: number;
  /** Null when the axis cannot draw zones at this layer (see noZones). */
  readonly zones: ZoneCuts | null;
  /** Why there are no zones, e.g. the populations overlap so much that the cuts cross. */
  readonly noZones: string | null;
  /** Null when the axis file has no surprise distribution (then nothing is called out of domain). */
  readonly domain: DomainCheck | null;
  /** What a reader should know about where the cuts came from (older axis files, small populations). */
  readonly notes: readonly string[];
}

/** Below this many replies, a population's tails are a guess: say so next to the cut. */
const SMALL_POPULATION = 20;

/**
 * The surprise above which a turn is out of domain. The yardstick is the p99 of the model's expected
 * surprise on its own replies (mean next-token entropy along each): expected rather than observed,
 * because those replies are sampled at temperature 0.7, so their own tokens are the likelier ones and
 * a limit read from them would call in-domain text unreadable. The limit is halfway from that p99 to
 * ln(vocabulary), the surprise of a model that knows nothing (a uniform guess): a turn beyond it reads
 * closer to noise than to the model's own text. Without a vocabulary size, twice the p99 and at least
 * 1.5 nats above it. Either way deliberately far out: only text the model cannot model at all
 * (another language or domain, a toy model on real text) crosses it.
 */
export function domainLimit(ownP99: number, vocabSize?: number): number {
  const near = Math.max(2 * ownP99, ownP99 + 1.5);
  return vocabSize !== undefined && vocabSize >= 2 ? Math.max(near, (ownP99 + Math.log(vocabSize)) / 2) : near;
}

/** The calibration of an axis file at `layer`: zone cuts from its held-out populations and the domain check. */
export function calibrationOf(axis: AxisFile, layer: number): Calibration {
  const l = axis.layers[layer];
  if (!l) throw new RangeError(`layer ${layer} is outside 0..${axis.layers.length - 1}`);
  const notes: string[] = [];
  let defaults: { pop: Population; name: string } | null = null;
  let roles: { pop: Population; name: string } | null = null;
  if (l.populations) {
    if (l.populations.default) defaults = { pop: l.populations.default, name: 'held-out default-Assistant replies' };
    if (l.populations.role) roles = { pop: l.populations.role, name: 'held-out role replies' };
  } else {
    // Version 1 files kept only the training default replies (the floor population): usable for the
    // assistant cut, though they sit a little higher than unseen replies; there is no role population.
    defaults = { pop: { n: 0, table: [...l.floors.response] }, name: 'training default-Assistant replies' };
    notes.push(`axis file version ${axis.version}: the assistant zone comes from the training replies and there is no role zone; recompute the axis for calibrated zones`);
  }
  for (const p of [defaults, roles]) {
    if (p && p.pop.n > 0 && p.pop.n < SMALL_POPULATION) notes.push(`only ${p.pop.n} ${p.name}: the cuts are rough`);
  }
  const domain = domainOf(axis);
  if (!domain) notes.push('the axis file has no surprise distribution: turns are not checked for being out of the model\'s domain');
  if (!defaults) return { layer, zones: null, noZones: 'the axis has no held-out default-Assistant replies at this layer', domain, notes };

  const assistantFrom = fromPercentileTable(defaults.pop.table, ASSISTANT_PERCENTILE);
  const assistantSource = { population: defaults.name, n: defaults.pop.n, percentile: ASSISTANT_PERCENTILE };
  if (!roles) {
    const zones: ZoneCuts = {
      assistantFrom,
      roleTo: null,
      assistantSource,
      roleSource: null,
      roleRule: null,
      roleMedian: null,
      rates: { defaultNotAssistant: shareAtOrBelow(defaults.pop.table, assistantFrom), defaultInRole: null, roleInRole: null, roleInAssistant: null },
    };
    return { layer, zones, noZones: null, domain, notes };
  }
  const roleMedian = fromPercentileTable(roles.pop.table, ROLE_PERCENTILE);
  if (roleMedian >= assistantFrom) {
    return {
      layer,
      zones: null,
      noZones: `the axis does not separate at layer ${layer}: the median role reply (${roleMedian.toFixed(2)}) is not below the 5th percentile of default replies (${assistantFrom.toFixed(2)})`,
      domain,
      notes,
    };
  }
  // Role: closer to typical role-play (the role median) than to the edge of the normal assistant range.
  // The role median itself would call half of all in-role replies "drifting", and role replies that
  // only lean into a character (a pirate's tips) sit well above it; the midpoint catches those, and
  // the default p1 cap keeps false alarms on normal replies at 1% where the populations overlap.
  const midpoint = (roleMedian + assistantFrom) / 2;
  const defaultLow = fromPercentileTable(defaults.pop.table, ROLE_MAX_DEFAULT_PERCENTILE);
  const capped = defaultLow < midpoint;
  const roleTo = capped ? defaultLow : midpoint;
  const roleSource = capped
    ? { population: defaults.name, n: defaults.pop.n, percentile: ROLE_MAX_DEFAULT_PERCENTILE }
    : { population: roles.name, n: roles.pop.n, percentile: ROLE_PERCENTILE };
  if (capped) notes.push('the role cut is the 1st percentile of default replies (the populations overlap), so that at most 1% of normal replies alarm');
  const zones: ZoneCuts = {
    assistantFrom,
    roleTo,
    assistantSource,
    roleSource,
    roleRule: capped ? 'default-p1' : 'midpoint',
    roleMedian,
    rates: {
      defaultNotAssistant: shareAtOrBelow(defaults.pop.table, assistantFrom),
      defaultInRole: shareAtOrBelow(defaults.pop.table, roleTo),
      roleInRole: shareAtOrBelow(roles.pop.table, roleTo),
      roleInAssistant: 1 - shareAtOrBelow(roles.pop.table, assistantFrom),
    },
  };
  return { layer, zones, noZones: null, domain, notes };
}

/** The zone of a value under the cuts. */
export function zoneOf(value: number, cuts: ZoneCuts): Zone {
  if (value >= cuts.assistantFrom) return 'assistant';
  if (cuts.roleTo !== null && value <= cuts.roleTo) return 'role';
  return 'drifting';
}

/** True when a turn's surprise (nats per token) is beyond the domain limit; false when either is unknown. */
export function isOutOfDomain(surprise: number | null, domain: DomainCheck | null): boolean {
  return domain !== null && surprise !== null && Number.isFinite(surprise) && surprise > domain.limit;
}

function domainOf(axis: AxisFile): DomainCheck | null {
  const s = axis.surprise;
  if (!s || s.n === 0) return null;
  const ownP99 = fromPercentileTable(s.table, 99);
  return { limit: domainLimit(ownP99, axis.model.vocabSize), ownMedian: fromPercentileTable(s.table, 50), ownP99, n: s.n };
}

/** How one assistant reply reads: its zone, or none when it is out of the model's domain or the axis draws no zones. */
export interface Reading {
  readonly zone: Zone | null;
  readonly outOfDomain: boolean;
}

/** Reads an assistant reply's value and surprise under a calibration. */
export function readReply(value: number, surprise: number | null, c: Calibration): Reading {
  const outOfDomain = isOutOfDomain(surprise, c.domain);
  return { zone: !outOfDomain && c.zones && Number.isFinite(value) ? zoneOf(value, c.zones) : null, outOfDomain };
}
