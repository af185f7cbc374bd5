/**
 * The word pieces of the synthetic vocabulary. A crafted model only ever emits these
 * (plus "." and ","), so its output reads as words and is always valid UTF-8.
 */
export const WORDS = `the of and to in is it that for on with as was at by be this are from or an
have not but they which one you all were we when there can been has more will if no out so what
up its about into than them only other new some time could these two may then do first any my now
such like our over man me even most made after also did many before must through back years where
much your way well down should because each just those people how too little state good very make
world still own see men work long get here between both life being under never day same another
know while last might us great old year off come since against go came right used take three model
token quant layer expert bits memory speed cache context prompt answer python game bird pipe ball
heptagon spin wall gravity color score window frame code run fast slow local server agent engine
graph weight tensor value sample seed light dark blue green brown yellow gray random bounce inside
center radius number friction rotate collision test check plan fit load stream text chat user
assistant system date today hello world small large huge deep seek open source box card`
  .split(/\s+/)
  .filter((word) => word.length > 0);

/** Characters given their own token, so ordinary text tokenizes without byte fallback. */
export const CHARACTERS =
  "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,:;!?'\"()[]{}<>+-*/=_#%&|@$^~`\\";
