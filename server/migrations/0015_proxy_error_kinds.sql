-- The egress proxy's own failures (HOOKPORT_EGRESS_PROXY): a refused CONNECT and an unreachable proxy
-- are recorded as their own kinds, apart from the receiver's (docs/delivery.md, "Egress proxy").
alter table attempts drop constraint attempts_error_kind_check;
alter table attempts add constraint attempts_error_kind_check check (error_kind in
  ('timeout', 'connection', 'dns', 'tls', 'egress_blocked', 'response_too_large', 'http_status',
   'proxy_refused', 'proxy_error'));
