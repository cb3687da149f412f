-- Passcodes per requester (issue 20, finding 5): a code belongs to the
-- browser that asked for it, so another browser's sends and wrong entries
-- never void it, and the send limits of R3 count per address and client
-- network, beside the address's own budget across clients.
--
-- Additive, as every migration: otp_codes stays for processes of the
-- previous release during a rolling upgrade and is unused from here on (a
-- later release drops it). A code one release sent is unknown to the
-- other, so a guest caught between the two sends a new one. The send
-- counts of the last hour carry over as the addresses' budgets.
CREATE TABLE otp_sends (
    tenant_id    TEXT NOT NULL REFERENCES tenants (id),
    address      TEXT NOT NULL,
    -- a client network (an IPv4 address, an IPv6 /64), or '*' for the
    -- address's budget across every client
    client       TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    window_count INTEGER NOT NULL,
    last_at      BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, address, client)
);

INSERT INTO otp_sends (tenant_id, address, client, window_start, window_count, last_at)
    SELECT tenant_id, address, '*', window_start, window_count, issued_at FROM otp_codes;

-- browser is an opaque id of the requesting browser (a hash of its
-- per-browser cookie), '' for callers outside a browser.
CREATE TABLE otp_browser_codes (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    address   TEXT NOT NULL,
    browser   TEXT NOT NULL,
    code_hash BYTEA NOT NULL,
    issued_at BIGINT NOT NULL,
    attempts  INTEGER NOT NULL,
    used_at   BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, address, browser)
);
