package io.genrtl.host.http;

import io.genrtl.core.GenRtl;
import io.genrtl.core.account.IssuedKey;
import io.genrtl.core.account.Principal;
import io.genrtl.core.account.Workspace;
import io.genrtl.core.base.ErrorCode;
import io.genrtl.core.base.GenRtlException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code /api/me}, {@code /api/keys}, {@code /api/workspaces}, {@code /api/auth/logout}. */
final class AccountRoutes {
  private final GenRtl genrtl;
  private final GenRtlApp.Settings settings;

  AccountRoutes(GenRtl genrtl, GenRtlApp.Settings settings) {
    this.genrtl = genrtl;
    this.settings = settings;
  }

  void register(RoutesConfig r) {
    r.get("/api/me", this::me);
    r.post("/api/auth/logout", this::logout);
    r.post("/api/keys", this::createKey);
    r.get("/api/keys", this::listKeys);
    r.delete("/api/keys/{key_id}", this::revokeKey);
    r.post("/api/workspaces", this::createWorkspace);
    r.get("/api/workspaces", this::listWorkspaces);
    r.get("/api/workspaces/{workspace_id}", this::getWorkspace);
  }

  private void me(Context ctx) {
    ctx.json(Views.me(genrtl.accounts().me(GenRtlApp.principal(ctx))));
  }

  /** Ends the caller's session (and clears its cookies) or, when called with an API key, revokes that key. */
  private void logout(Context ctx) {
    Principal p = GenRtlApp.principal(ctx);
    String session = ctx.attribute(GenRtlApp.SESSION);
    if (session != null) {
      genrtl.signIn().endSession(session);
      SignInRoutes.clearCookies(ctx);
    } else if (p.keyId() != null) {
      genrtl.apiKeys().revoke(p, p.keyId());
    }
    ctx.status(204);
  }

  private void createKey(Context ctx) {
    Principal p = GenRtlApp.principal(ctx);
    JsonBody body = Bodies.json(ctx, settings.maxBodyBytes());
    requireSelf(p, body);
    String name = body.optString("name", 100).orElse(null);
    Long expiresAt = body.optTime("expires_at").map(Instant::toEpochMilli).orElse(null);
    IssuedKey k = genrtl.apiKeys().issue(p.userId(), name, expiresAt);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("key_id", k.key().keyId());
    out.put("name", k.key().name());
    out.put("api_key", k.apiKey());
    out.put("created_at", Views.time(k.key().createdAt()));
    out.put("expires_at", Views.time(k.key().expiresAt()));
    ctx.status(201).header("Cache-Control", "no-store").json(out);
  }

  private void listKeys(Context ctx) {
    Principal p = GenRtlApp.principal(ctx);
    long now = genrtl.clock().millis();
    ctx.json(Paging.response(genrtl.apiKeys().list(p, Paging.request(ctx)), k -> Views.key(k, now)));
  }

  private void revokeKey(Context ctx) {
    genrtl.apiKeys().revoke(GenRtlApp.principal(ctx), ctx.pathParam("key_id"));
    ctx.status(204);
  }

  private void createWorkspace(Context ctx) {
    Principal p = GenRtlApp.principal(ctx);
    JsonBody body = Bodies.json(ctx, settings.maxBodyBytes());
    requireSelf(p, body);
    Workspace w = genrtl.accounts().createWorkspace(p, body.string("name", 10_000));
    ctx.status(201).json(Views.workspace(w));
  }

  private void listWorkspaces(Context ctx) {
    ctx.json(Paging.response(genrtl.accounts().listWorkspaces(GenRtlApp.principal(ctx), Paging.request(ctx)),
        Views::workspace));
  }

  private void getWorkspace(Context ctx) {
    ctx.json(Views.workspace(genrtl.accounts().getWorkspace(GenRtlApp.principal(ctx), ctx.pathParam("workspace_id"))));
  }

  /** A body naming another user as the actor is refused: callers act only as themselves. */
  static void requireSelf(Principal p, JsonBody body) {
    body.optString("user_id", 64).ifPresent(u -> {
      if (!u.equals(p.userId())) {
        throw new GenRtlException(ErrorCode.FORBIDDEN, "you can only act as yourself", Map.of("field", "user_id"));
      }
    });
  }
}
