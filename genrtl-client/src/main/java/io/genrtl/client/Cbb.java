package io.genrtl.client;

import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** CBB registry shapes: catalog, resolve, checkout, deliver. Prices are integer micro-USD. */
public final class Cbb {
  private Cbb() {}

  public record Compat(String sv, List<String> simulators) {
    static Compat from(Map<String, Object> m) {
      return m == null ? null : new Compat(Json.str(m, "sv"), Json.strings(m, "simulators"));
    }
  }

  public record Entrypoints(String rtlTop, String tbTop, String filelistRtl, String filelistTb) {
    static Entrypoints from(Map<String, Object> m) {
      return m == null ? null : new Entrypoints(Json.str(m, "rtl_top"), Json.str(m, "tb_top"), Json.str(m, "filelist_rtl"),
          Json.str(m, "filelist_tb"));
    }
  }

  /** A catalog row ({@code GET /api/cbb}). */
  public record Summary(String cbbId, String name, String description, String latestVersion, long priceMicros,
      List<String> tags, Compat compat) {
    static Summary from(Map<String, Object> m) {
      return new Summary(Json.requiredStr(m, "cbb_id"), Json.str(m, "name"), Json.str(m, "description"),
          Json.str(m, "latest_version"), Json.micros(m, "price_usd"), Json.strings(m, "tags"), Compat.from(Json.obj(m, "compat")));
    }
  }

  /** {@code GET /api/cbb/{id}}: a CBB with all its versions, newest first. */
  public record Detail(String cbbId, String name, String description, String latestVersion, List<String> tags,
      List<Version> versions) {
    static Detail from(Map<String, Object> m) {
      return new Detail(Json.requiredStr(m, "cbb_id"), Json.str(m, "name"), Json.str(m, "description"),
          Json.str(m, "latest_version"), Json.strings(m, "tags"), Json.objects(m, "versions").stream().map(Version::from).toList());
    }
  }

  /** One published version; {@code manifest} is the manifest as a JSON tree (maps, lists, strings, decimals). */
  public record Version(String cbbId, String version, String name, long priceMicros, String sha256, long sizeBytes,
      String format, boolean yanked, Instant publishedAt, Map<String, Object> manifest) {
    static Version from(Map<String, Object> m) {
      return new Version(Json.requiredStr(m, "cbb_id"), Json.requiredStr(m, "version"), Json.str(m, "name"),
          Json.micros(m, "price_usd"), Json.str(m, "sha256"), Json.lng(m, "size_bytes", 0), Json.str(m, "format"),
          Json.bool(m, "yanked"), Json.time(m, "published_at"), Json.obj(m, "manifest"));
    }
  }

  /** One requirement for {@code POST /api/cbb/resolve} (the shape a plan's {@code cbb_requirements} has). */
  public record Requirement(String cbbId, String version, List<String> tags, String simulator, String sv, String text) {
    public static Requirement id(String cbbId, String versionRange) {
      return new Requirement(cbbId, versionRange, null, null, null, null);
    }

    public static Requirement text(String text) {
      return new Requirement(null, null, null, null, null, text);
    }

    Map<String, Object> toJson() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("cbb_id", cbbId);
      m.put("version", version);
      m.put("tags", tags);
      m.put("simulator", simulator);
      m.put("sv", sv);
      m.put("text", text);
      return m;
    }
  }

  /** The candidates for one requirement, best first. */
  public record Resolution(int requirementIndex, List<Candidate> candidates) {
    static Resolution from(Map<String, Object> m) {
      return new Resolution((int) Json.lng(m, "requirement_index", 0),
          Json.objects(m, "candidates").stream().map(Candidate::from).toList());
    }
  }

  public record Candidate(String cbbId, String name, String version, List<String> versions, long priceMicros,
      List<String> tags, Compat compat, Entrypoints entrypoints, String sha256, long sizeBytes, boolean owned) {
    static Candidate from(Map<String, Object> m) {
      return new Candidate(Json.requiredStr(m, "cbb_id"), Json.str(m, "name"), Json.requiredStr(m, "version"),
          Json.strings(m, "versions"), Json.micros(m, "price_usd"), Json.strings(m, "tags"), Compat.from(Json.obj(m, "compat")),
          Entrypoints.from(Json.obj(m, "entrypoints")), Json.str(m, "sha256"), Json.lng(m, "size_bytes", 0),
          Json.bool(m, "owned"));
    }
  }

  /** One item to buy. */
  public record Item(String cbbId, String version) {
    public Item {
      Objects.requireNonNull(cbbId, "cbbId");
      Objects.requireNonNull(version, "version");
    }
  }

  /** What to buy, for whom ({@code workspaceId}, optionally a job). The caller's user id is added by the client. */
  public record CheckoutRequest(String workspaceId, String jobId, List<Item> items) {
    public CheckoutRequest {
      Objects.requireNonNull(workspaceId, "workspaceId");
      items = List.copyOf(items);
    }

    Map<String, Object> toJson(String userId, String idempotencyKey) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("user_id", userId);
      m.put("workspace_id", workspaceId);
      if (jobId != null) m.put("job_id", jobId);
      List<Object> its = new ArrayList<>();
      for (Item i : items) {
        Map<String, Object> it = new LinkedHashMap<>();
        it.put("cbb_id", i.cbbId());
        it.put("version", i.version());
        its.add(it);
      }
      m.put("items", its);
      m.put("idempotency_key", idempotencyKey);
      return m;
    }
  }

  /** The answer of a checkout; {@code replayed} is true when it is the stored answer of an earlier call with the key. */
  public record Checkout(String receiptId, List<Charged> charged, List<AlreadyOwned> alreadyOwned,
      long includedMicrosAfter, long creditsMicrosAfter, long onDemandSpentMicrosAfter, boolean replayed) {
    static Checkout from(Map<String, Object> m, boolean replayed) {
      Map<String, Object> b = Json.obj(m, "balances_after");
      return new Checkout(Json.requiredStr(m, "receipt_id"),
          Json.objects(m, "charged").stream().map(c -> new Charged(Json.str(c, "cbb_id"), Json.str(c, "version"),
              Json.str(c, "bucket"), Json.micros(c, "price_usd"))).toList(),
          Json.objects(m, "already_owned").stream().map(a -> new AlreadyOwned(Json.str(a, "cbb_id"), Json.str(a, "version"),
              Json.str(a, "receipt_id"))).toList(),
          Json.micros(b, "included_usd_balance"), Json.micros(b, "credits_usd_balance"), Json.micros(b, "on_demand_usd"),
          replayed);
    }
  }

  public record Charged(String cbbId, String version, String bucket, long priceMicros) {}

  public record AlreadyOwned(String cbbId, String version, String receiptId) {}

  /** {@code POST /api/cbb/deliver}: fresh signed download URLs for a receipt's items. */
  public record Delivery(String receiptId, List<DeliveryItem> items) {
    static Delivery from(Map<String, Object> m) {
      return new Delivery(Json.requiredStr(m, "receipt_id"), Json.objects(m, "items").stream().map(DeliveryItem::from).toList());
    }
  }

  /**
   * A signed, short-lived download URL with the package's expected SHA-256 and size. The URL is a bearer credential:
   * {@code toString} masks it; never log it.
   */
  public record DeliveryItem(String cbbId, String version, URI url, String sha256, long size, long expiresInSeconds) {
    static DeliveryItem from(Map<String, Object> m) {
      return new DeliveryItem(Json.requiredStr(m, "cbb_id"), Json.requiredStr(m, "version"),
          URI.create(Json.requiredStr(m, "url")), Json.requiredStr(m, "sha256"), Json.lng(m, "size", -1),
          Json.lng(m, "expires_in", 0));
    }

    @Override
    public String toString() {
      return "DeliveryItem[cbbId=" + cbbId + ", version=" + version + ", url=<signed>, sha256=" + sha256 + ", size=" + size
          + ", expiresInSeconds=" + expiresInSeconds + "]";
    }
  }

  /** {@code POST /api/admin/cbb} (super admins): the version published, and whether it was new. */
  public record Published(String cbbId, String version, String sha256, long sizeBytes, String format, boolean created) {
    static Published from(Map<String, Object> m) {
      return new Published(Json.requiredStr(m, "cbb_id"), Json.requiredStr(m, "version"), Json.str(m, "sha256"),
          Json.lng(m, "size_bytes", 0), Json.str(m, "format"), Json.bool(m, "created"));
    }
  }
}
