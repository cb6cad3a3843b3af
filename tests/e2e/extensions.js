// Extends telegram-test-api 4.2.1 at start-up with what the bot's sharing needs, without
// patching the package: routes are put in front of its own (before its catch-all that answers
// HTTP 500 for unknown methods), and its update formatter learns two more kinds of update.
//
// Bot side (what the bot calls):
//   answerInlineQuery                 stores the answer per inline query
//   answerCallbackQuery               stores the answer (text, url) as well as acknowledging
//   editMessageText/ReplyMarkup       with inline_message_id: edits a message sent through
//                                     inline mode (else the package's own route)
//   sendPhoto, sendDocument           multipart uploads (parsed with Node's own FormData
//                                     reader): the file is kept under a file_id, the message
//                                     stored like a sendMessage
// Client side (what the test user does):
//   POST /sendInlineQuery      {botToken, from, query, chat_type?}       -> {inline_query_id}
//   POST /getInlineQueryAnswer {token, inlineQueryId}                    -> the answer or null
//   POST /chooseInlineResult   {token, inlineQueryId, resultId, chatId, from}
//                              posts that result into a chat, as Telegram does when a user
//                              picks it                                  -> {inline_message_id,…}
//   POST /sendInlineCallback   {botToken, from, inlineMessageId, data}  presses a button on it
//   POST /getInlineMessage     {token, inlineMessageId}                 -> the message, edited
//   POST /getCallbackAnswers   {token}                                   -> every answer
//   POST /getFile              {token, fileId}  -> {file_id, file_name, mime_type, base64}
//
// Like the package, this validates little: the bot's own tests check Telegram's limits.
'use strict';

const JSON_FIELDS = ['results', 'button', 'reply_markup', 'entities', 'caption_entities',
  'link_preview_options', 'reply_parameters'];

function parseJsonFields(body) {
  const out = { ...body };
  for (const key of JSON_FIELDS) {
    if (typeof out[key] === 'string' && /^[[{]/.test(out[key])) {
      out[key] = JSON.parse(out[key]);
    }
  }
  return out;
}

function state(server) {
  if (!server.sharing) {
    server.sharing = {
      inlineQueryId: 1,
      inlineMessageId: 1,
      fileId: 1,
      inlineAnswers: new Map(), // `${token}/${inline_query_id}` -> answer
      inlineMessages: new Map(), // `${token}/${inline_message_id}` -> message
      callbackAnswers: [], // {token, ...answer}
      files: new Map(), // `${token}/${file_id}` -> {file_name, mime_type, data}
    };
  }
  return server.sharing;
}

function ok(res, result) {
  res.json({ ok: true, result });
}

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) {
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

// The fields of a request: urlencoded/JSON (already parsed by the package), or multipart.
async function fields(req) {
  const type = req.headers['content-type'] || '';
  if (!type.startsWith('multipart/form-data')) {
    return { fields: parseJsonFields(req.body || {}), files: {} };
  }
  const form = await new Response(await readBody(req), { headers: { 'content-type': type } })
    .formData();
  const plain = {};
  const files = {};
  for (const [name, value] of form.entries()) {
    if (typeof value === 'string') {
      plain[name] = value;
    } else {
      files[name] = {
        file_name: value.name,
        mime_type: value.type || 'application/octet-stream',
        data: Buffer.from(await value.arrayBuffer()),
      };
    }
  }
  return { fields: parseJsonFields(plain), files };
}

function pngSize(data) {
  const signature = data.subarray(1, 4).toString('ascii');
  if (signature !== 'PNG' || data.length < 24) return { width: 0, height: 0 };
  return { width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
}

function upload(kind) {
  return async (req, res, next) => {
    try {
      const token = req.params.token;
      const { fields: body, files } = await fields(req);
      let file = files[kind];
      if (!file && typeof body[kind] === 'string' && body[kind].startsWith('attach://')) {
        file = files[body[kind].slice('attach://'.length)];
      }
      const shared = state(req.app.telegramServer);
      const fileId = file ? `file-${shared.fileId++}` : String(body[kind]);
      if (file) shared.files.set(`${token}/${fileId}`, file);
      const size = file ? file.data.length : 0;
      const message = {
        chat_id: body.chat_id,
        caption: body.caption,
        parse_mode: body.parse_mode,
        reply_markup: body.reply_markup,
      };
      if (kind === 'photo') {
        const { width, height } = file ? pngSize(file.data) : { width: 0, height: 0 };
        message.photo = [{ file_id: fileId, file_unique_id: fileId, width, height,
          file_size: size }];
      } else {
        message.document = { file_id: fileId, file_unique_id: fileId,
          file_name: file ? file.file_name : undefined,
          mime_type: file ? file.mime_type : undefined, file_size: size };
      }
      ok(res, req.app.telegramServer.addBotMessage(message, token));
    } catch (error) {
      next(error);
    }
  };
}

function routes(app, server) {
  app.telegramServer = server;
  const shared = state(server);

  // -- bot side ---------------------------------------------------------------------------
  app.post('/bot:token/answerInlineQuery', (req, res) => {
    const body = parseJsonFields(req.body);
    shared.inlineAnswers.set(`${req.params.token}/${body.inline_query_id}`, {
      ...body,
      cache_time: body.cache_time === undefined ? undefined : Number(body.cache_time),
      is_personal: body.is_personal === undefined ? undefined
        : String(body.is_personal) === 'true',
    });
    ok(res, true);
  });

  app.post('/bot:token/answerCallbackQuery', (req, res) => {
    shared.callbackAnswers.push({ token: req.params.token, ...parseJsonFields(req.body) });
    ok(res, true);
  });

  for (const method of ['editMessageText', 'editMessageReplyMarkup']) {
    app.post(`/bot:token/${method}`, (req, res, next) => {
      const body = parseJsonFields(req.body);
      if (!body.inline_message_id) {
        next(); // a message in a chat: the package's own route
        return;
      }
      const key = `${req.params.token}/${body.inline_message_id}`;
      const message = shared.inlineMessages.get(key);
      if (!message) {
        res.status(400).json({ ok: false, error_code: 400,
          description: 'Bad Request: MESSAGE_ID_INVALID' });
        return;
      }
      if (method === 'editMessageText') {
        message.text = body.text;
        message.parse_mode = body.parse_mode;
      }
      message.reply_markup = body.reply_markup;
      message.edits += 1;
      ok(res, true);
    });
  }

  app.post('/bot:token/sendPhoto', upload('photo'));
  app.post('/bot:token/sendDocument', upload('document'));

  // -- client side ------------------------------------------------------------------------
  app.post('/sendInlineQuery', async (req, res, next) => {
    try {
      const id = String(shared.inlineQueryId++);
      await server.addUserUpdate({
        ...server.getCommonFields(req.body.botToken),
        inlineQuery: {
          id,
          from: req.body.from,
          query: req.body.query,
          offset: req.body.offset || '',
          chat_type: req.body.chat_type || 'sender',
        },
      });
      ok(res, { inline_query_id: id });
    } catch (error) {
      next(error);
    }
  });

  app.post('/getInlineQueryAnswer', (req, res) => {
    ok(res, shared.inlineAnswers.get(`${req.body.token}/${req.body.inlineQueryId}`) || null);
  });

  app.post('/chooseInlineResult', (req, res) => {
    const { token, inlineQueryId, resultId, chatId, from } = req.body;
    const answer = shared.inlineAnswers.get(`${token}/${inlineQueryId}`);
    const result = answer && answer.results.find((r) => r.id === resultId);
    if (!result) {
      res.status(404).json({ ok: false, description: `no result ${resultId}` });
      return;
    }
    const content = result.input_message_content || {};
    const id = `inline-${shared.inlineMessageId++}`;
    const message = {
      inline_message_id: id,
      chat_id: chatId,
      from,
      text: content.message_text,
      parse_mode: content.parse_mode,
      reply_markup: result.reply_markup,
      edits: 0,
    };
    shared.inlineMessages.set(`${token}/${id}`, message);
    ok(res, message);
  });

  app.post('/sendInlineCallback', (req, res) => {
    const { botToken, from, inlineMessageId, data } = req.body;
    server.addUserCallback({
      botToken,
      from,
      inline_message_id: inlineMessageId,
      chat_instance: `inline-${inlineMessageId}`,
      data,
    });
    ok(res, true);
  });

  app.post('/getInlineMessage', (req, res) => {
    ok(res, shared.inlineMessages.get(`${req.body.token}/${req.body.inlineMessageId}`) || null);
  });

  app.post('/getCallbackAnswers', (req, res) => {
    ok(res, shared.callbackAnswers.filter((a) => a.token === req.body.token));
  });

  app.post('/getFile', (req, res) => {
    const file = shared.files.get(`${req.body.token}/${req.body.fileId}`);
    if (!file) {
      res.status(404).json({ ok: false, description: `no file ${req.body.fileId}` });
      return;
    }
    ok(res, { file_id: req.body.fileId, file_name: file.file_name, mime_type: file.mime_type,
      base64: file.data.toString('base64') });
  });
}

// Call before `new TelegramServer(...)`: the constructor registers the routes in order.
function install(TelegramServer, packageRoutes) {
  const formatUpdate = TelegramServer.formatUpdate;
  TelegramServer.formatUpdate = (update) => {
    if ('inlineQuery' in update) {
      return { update_id: update.updateId, inline_query: update.inlineQuery };
    }
    if ('callbackQuery' in update && update.callbackQuery.inline_message_id) {
      const query = update.callbackQuery;
      return {
        update_id: update.updateId,
        callback_query: {
          id: String(update.callbackId),
          from: query.from,
          inline_message_id: query.inline_message_id,
          chat_instance: query.chat_instance,
          data: query.data,
        },
      };
    }
    return formatUpdate(update);
  };
  packageRoutes.unshift(routes);
}

module.exports = { install };
