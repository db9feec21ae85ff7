import * as vscode from 'vscode';
import type { TranscriptDiagnostic } from '../core/transcript';
import { DIAGNOSTIC_COLLECTION } from './ids';

const SEVERITY: Record<TranscriptDiagnostic['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

/** Problems that have a place in a transcript (parse errors, unknown roles, over-long turns). */
export class TranscriptDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection(DIAGNOSTIC_COLLECTION);

  set(doc: vscode.TextDocument, diagnostics: readonly TranscriptDiagnostic[]): void {
    this.collection.set(
      doc.uri,
      diagnostics.map((d) => {
        const range = new vscode.Range(doc.positionAt(d.range.start), doc.positionAt(d.range.end));
        const diag = new vscode.Diagnostic(range, d.message, SEVERITY[d.severity]);
        diag.source = 'Persona Lens';
        diag.code = d.code;
        return diag;
      }),
    );
  }

  delete(uri: vscode.Uri): void {
    this.collection.delete(uri);
  }

  clear(): void {
    this.collection.clear();
  }

  dispose(): void {
    this.collection.dispose();
  }
}
