// Public types of the package. Both entries (browser and Node) export exactly these names,
// ready on import: no init call.
export { mask, maskColumn, maskCsv, maskSql, CatalogClient, PolicyEngine, importCatalogPolicies } from "./steward_wasm.js";
export type {
  StewardErrorCode,
  CatalogClientOptions,
  MaskType,
  MaskableValue,
  MaskOptions,
  SqlDialect,
  MaskSqlOptions,
  Role,
  PolicyKind,
  Effect,
  MetadataAction,
  GlossaryAction,
  DomainAction,
  AccessAction,
  AccessPolicy,
  AccessConfig,
  AccessAsset,
  AccessRequest,
  DecisionReason,
  PolicyRef,
  MatchedPolicy,
  Verdict,
  Decision,
  PreviewTableRequest,
  PreviewTable,
  ImportIssue,
  ImportResult,
} from "./steward_wasm.js";
export { mapAssets } from "./steward_wasm.js";
export type {
  AssetId,
  QualityResults,
  InventoryField,
  InventoryContainer,
  InventoryDatastore,
  Inventory,
  SyncMode,
  SyncOptions,
  SyncProgress,
  SyncLogEntry,
  PlannedWrite,
  SyncReport,
  MappingReport,
  CatalogAssetInput,
  PreflightOptions,
  BlockedAsset,
  PreflightReport,
  SetupStep,
  SetupResult,
  SetupIntegrationArgs,
} from "./steward_wasm.js";
export { HightouchPolicy, HightouchClient, hightouchCatalogRole, hightouchSetupSteps, checkHightouchKey } from "./steward_wasm.js";
export type {
  HightouchEffect,
  HightouchRoleDocument,
  HightouchPolicyProblem,
  HightouchExplanation,
  HightouchGrant,
  HightouchRoleCheck,
  HightouchSetupStep,
  HightouchClientOptions,
  HightouchList,
  HightouchObject,
  HightouchPage,
  HightouchResourceAccess,
  HightouchCrawlPreview,
  HightouchKeyCheck,
  RetryPolicy,
  RequestOptions,
} from "./steward_wasm.js";
import type { CatalogClient, Inventory, SyncMode, SyncOptions, SyncProgress, SyncReport, PreflightOptions, PreflightReport, SetupIntegrationArgs, SetupResult } from "./steward_wasm.js";

/** Arguments of `runSync`. */
export interface RunSyncArgs {
  /** The catalog to sync with. */
  catalog: CatalogClient;
  /** The local inventory (an object or JSON text). */
  inventory: Inventory | string;
  /** Pull tags, push metadata, or both. Default "both". */
  mode?: SyncMode;
  options?: SyncOptions;
  /** Called as the run goes: phase, done, total. */
  onProgress?: (progress: SyncProgress) => void;
  /** Cancels the run: requests in flight finish, and the run resolves with `cancelled: true`. */
  signal?: AbortSignal;
}
/** Runs a sync (SPEC §5): pulls catalog tags onto local assets as external tags, pushes quality results as custom metadata and anomaly announcements. */
export declare function runSync(args: RunSyncArgs): Promise<SyncReport>;
/** Lists the mapped assets the token can't read or write, before any write. */
export declare function preflight(args: { catalog: CatalogClient; inventory: Inventory | string; options?: PreflightOptions; signal?: AbortSignal }): Promise<PreflightReport>;
/** With an admin token: the persona, metadata policy and user the integration's token needs (idempotent). With another token: the settings to create by hand. */
export declare function setupIntegration(args: SetupIntegrationArgs): Promise<SetupResult>;
