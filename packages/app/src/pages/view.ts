/**
 * Rendering: every page is a Preact component rendered to a string on the server (escaped by
 * default), wrapped in the shared layout. A page never sees tokens; it gets a ViewContext.
 */
import type { VNode } from "preact";
import { render } from "preact-render-to-string";
import type { FlashMessage } from "../plugins/session-types.ts";

/** What the layout needs from the request. */
export interface ViewContext {
  readonly user: { readonly username: string; readonly email: string; readonly isStaff: boolean } | null;
  readonly csrfToken: string;
  readonly flash: readonly FlashMessage[];
  readonly allowSignup: boolean;
  readonly devMode: boolean;
  readonly path: string;
}

export const renderDocument = (page: VNode): string => `<!doctype html>${render(page)}`;
