import type { ComponentChildren } from 'preact';

export type NoticeTone = 'ok' | 'error';

export interface NoticeMessage {
  tone: NoticeTone;
  text: string;
}

/** The outcome of an action, announced to screen readers (role=status for success, alert for errors). */
export function Notice({ message, children }: { message: NoticeMessage | null; children?: ComponentChildren }) {
  return (
    <div class="notice-region" aria-live="polite">
      {message && (
        <p class={`notice ${message.tone}`} role={message.tone === 'error' ? 'alert' : 'status'}>
          {message.text}
          {children}
        </p>
      )}
    </div>
  );
}
