import type { JobTemplate } from "../../../sdk/spec/templates/jobTemplate";
import { JOB_TEMPLATES } from "../../../sdk/spec/templates/jobTemplates";

/**
 * The template gallery (PROTOCOL §16.6): the same templates as `rigel job init --list`; choosing one
 * fills the form below. The chosen one is marked.
 */
export function TemplateGallery({ chosen, onChoose }: { chosen?: string; onChoose: (t: JobTemplate) => void }) {
  return (
    <div className="template-gallery" data-testid="template-gallery">
      {JOB_TEMPLATES.map((t) => (
        <div key={t.name} className={`card template${chosen === t.name ? " chosen" : ""}`}>
          <div className="card-head">
            <strong>{t.title}</strong>
            <span className="muted mono">{t.spec.kind}</span>
          </div>
          <p className="muted">{t.description}</p>
          {t.placeholders?.map((p) => (
            <p key={p.path} className="muted">
              Replace <code>{p.path}</code>: {p.note}.
            </p>
          ))}
          <button type="button" className="secondary" data-testid={`template-${t.name}`} onClick={() => onChoose(t)}>
            {chosen === t.name ? "Chosen: fill again" : "Use this template"}
          </button>
        </div>
      ))}
    </div>
  );
}
