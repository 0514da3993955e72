// Set the vision-LLM feature description on existing Product nodes. Row: subject_id, description, model, prompt_version.
UNWIND $rows AS row
MATCH (p:Product {id: row.subject_id})
SET p.feature_description = row.description,
    p.feature_model = row.model,
    p.feature_prompt_version = row.prompt_version
