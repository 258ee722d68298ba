import type { ErrorCode } from '../../../shared/errors';

/**
 * Chinese text for the contract's error codes (shared/errors.ts holds the English). Codes added
 * later fall back to the contract's English text until they are translated here.
 */
export const errorHintsZhCN: Partial<Record<ErrorCode, string>> = {
  UNKNOWN_CHANNEL: '此请求不属于接口约定。',
  INVALID_INPUT: '请求格式不正确。',
  INVALID_OUTPUT: '服务返回的结果不符合接口约定。',
  UNAUTHORIZED: '会话令牌缺失或错误。请打开工位打印的网址。',
  TIMEOUT: '操作超时。',
  DISCONNECTED: '与服务的连接已断开。',
  INTERNAL: '发生内部错误，详情见日志。',
  NOT_INITIALIZED: '数据目录尚未初始化。请先运行 `commissioner init`。',
  VAULT_LOCKED: '密钥库已锁定。请设置 COMMISSIONER_PASSPHRASE 或在终端中运行。',
  NO_OWNER: '此数据目录没有正在运行的 Commissioner 接入服务或工位。',
  NOT_FOUND: '未找到。',
  ALREADY_EXISTS: '已存在。',
  CONFLICT: '此更改与当前状态冲突。',
  VALIDATION_FAILED: '数据校验未通过。',
  UNSUPPORTED: '此处不支持该操作。',
  INVALID_IDENTIFIER: '标识无效：请使用 1–64 个 A-Z a-z 0-9 _ - 字符（productKey 最多 20 个）。',
  THING_MODEL_INVALID: '物模型无效；消息按 JSON 路径列出每个问题。',
  MODEL_VIOLATION: '数值不符合产品的物模型；消息按 JSON 路径列出每个问题。',
  CSV_INVALID: 'CSV 文件中有错误行，未导入任何数据。',
};
