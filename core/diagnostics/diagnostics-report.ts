import type { DiagnosticsItem, DiagnosticsReport } from '../../common/api/models.js';
import { diagnosticsFileName, diagnosticsText } from './write-diagnostics.js';
import type { DiagnosticsBundle } from './collect-diagnostics.js';

function item(label: string, value: unknown, ok?: boolean): DiagnosticsItem {
  return { label, value: typeof value === 'string' ? value : JSON.stringify(value ?? null), ok };
}

const ROUTE_ROLE_WORDS = {
  bdc: 'BDC',
  platform: 'the platform (bridge)',
  relay: 'the relay target',
} as const;

/**
 * The on-screen summary of a (redacted) bundle for the UI's Diagnostics view: one section per
 * area, each line marked ok / not ok where that is meaningful. The full bundle is what gets saved.
 */
export function toDiagnosticsReport(bundle: DiagnosticsBundle): DiagnosticsReport {
  const versions = bundle.versions as Record<string, unknown> & { os?: Record<string, string> };
  const store = bundle.secretStore as {
    checked?: boolean;
    backend?: string;
    health?: { ok: boolean; detail?: string };
    error?: { message: string };
  };
  const sections: { title: string; items: DiagnosticsItem[] }[] = [
    {
      title: 'Versions',
      items: [
        item('companion', versions['companion']),
        item('node', versions['node']),
        ...(versions['electron'] ? [item('electron', versions['electron'])] : []),
        item('git', versions['git'], !String(versions['git']).startsWith('unavailable')),
        item(
          'os',
          versions.os
            ? `${versions.os['type']} ${versions.os['release']} (${versions.os['arch']})`
            : '',
        ),
      ],
    },
    {
      title: 'Secret store',
      items: !store.checked
        ? [item('secret store', 'not checked')]
        : store.error
          ? [item('secret store', store.error.message, false)]
          : [
              item(
                store.backend ?? 'secret store',
                store.health?.ok ? 'working' : (store.health?.detail ?? 'not working'),
                store.health?.ok === true,
              ),
            ],
    },
    {
      title: 'Network',
      items: networkItems(bundle.network),
    },
  ];
  for (const installation of bundle.installations) {
    const items: DiagnosticsItem[] = [item('URL', installation.baseUrl)];
    const probe = installation.probe;
    if ('steps' in probe) {
      for (const step of probe.steps) {
        items.push(
          item(`probe: ${step.name}`, step.ok ? `${step.ms} ms` : (step.code ?? 'failed'), step.ok),
        );
      }
      if (probe.tls) {
        items.push(
          item(
            'certificate chain',
            probe.tls.chain.map((certificate) => certificate.subject).join(' ← '),
            probe.tls.trusted,
          ),
        );
      }
    } else if ('skipped' in probe) {
      items.push(item('probe', probe.skipped));
    } else {
      items.push(item('probe', probe.failed, false));
    }
    for (const decision of installation.proxy) {
      items.push(
        item(
          `route to ${ROUTE_ROLE_WORDS[decision.role]}`,
          `${decision.url}: ${decision.description}`,
          decision.error === undefined ? undefined : false,
        ),
      );
    }
    items.push(item('sign-in', installation.auth['kind']));
    sections.push({ title: `Installation ${installation.name}`, items });
  }
  const pending = bundle.database.deliveries.filter(
    (delivery) => delivery['state'] === 'pending',
  ).length;
  const dead = bundle.database.deliveries.filter((delivery) => delivery['state'] === 'dead').length;
  sections.push({
    title: 'Activity',
    items: [
      item('recent pushes', String(bundle.database.history.length)),
      item('recent deliveries', String(bundle.database.deliveries.length)),
      item('pending deliveries (recent)', String(pending), pending === 0 ? undefined : false),
      item('dead deliveries (recent)', String(dead), dead === 0 ? true : false),
      item(
        'log lines included',
        String(bundle.logs.reduce((sum, log) => sum + log.lines.length, 0)),
      ),
    ],
  });
  if (bundle.problems.length > 0) {
    sections.push({
      title: 'Problems collecting diagnostics',
      items: bundle.problems.map((problem, index) => item(`#${index + 1}`, problem, false)),
    });
  }
  return {
    generatedAt: bundle.generatedAt,
    bundle: {
      fileName: diagnosticsFileName(bundle.generatedAt),
      text: diagnosticsText(bundle),
    },
    sections,
  };
}

function networkItems(network: Readonly<Record<string, unknown>>): DiagnosticsItem[] {
  const setting = network['setting'] as { kind?: string; url?: string } | undefined;
  const proxy = (network['proxy'] ?? {}) as { httpsProxy?: string; noProxy?: string };
  return [
    item(
      'proxy setting',
      setting === undefined
        ? 'auto'
        : setting.url === undefined
          ? (setting.kind ?? 'auto')
          : `${setting.kind} ${setting.url}`,
    ),
    item('HTTPS_PROXY', proxy.httpsProxy || 'not set'),
    item('NO_PROXY', proxy.noProxy || 'not set'),
  ];
}
