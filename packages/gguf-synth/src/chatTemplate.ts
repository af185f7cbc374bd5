/**
 * DeepSeek-V3's chat template, as in its tokenizer_config.json, without the tool-call
 * branches (synthetic models have no tools). System messages are joined and placed right
 * after BOS; turns are `<｜User｜>…` and `<｜Assistant｜>…<｜end▁of▁sentence｜>`.
 */
export const DEEPSEEK_V3_CHAT_TEMPLATE =
  "{% if not add_generation_prompt is defined %}{% set add_generation_prompt = false %}{% endif %}" +
  "{% set ns = namespace(system_prompt='', is_first_sp=true) %}" +
  "{%- for message in messages %}{%- if message['role'] == 'system' %}" +
  "{%- if ns.is_first_sp %}{% set ns.system_prompt = ns.system_prompt + message['content'] %}{% set ns.is_first_sp = false %}" +
  "{%- else %}{% set ns.system_prompt = ns.system_prompt + '\\n\\n' + message['content'] %}{%- endif %}" +
  "{%- endif %}{%- endfor %}" +
  "{{ bos_token }}{{ ns.system_prompt }}" +
  "{%- for message in messages %}" +
  "{%- if message['role'] == 'user' %}{{'<｜User｜>' + message['content']}}" +
  "{%- elif message['role'] == 'assistant' %}{{'<｜Assistant｜>' + message['content'] + '<｜end▁of▁sentence｜>'}}" +
  "{%- endif %}{%- endfor %}" +
  "{% if add_generation_prompt %}{{'<｜Assistant｜>'}}{% endif %}";
