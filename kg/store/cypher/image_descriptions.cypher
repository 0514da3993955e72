// Set what a vision-LLM said about an image. Row: image_id, description, model, prompt_version.
UNWIND $rows AS row
MATCH (i:Image {id: row.image_id})
SET i.description = row.description,
    i.model = row.model,
    i.prompt_version = row.prompt_version
