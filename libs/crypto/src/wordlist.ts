/**
 * Miyu's recovery word list: 256 common English words, one per byte value, unique in their first four letters
 * (so a typed prefix of four letters is enough). The order is part of the protocol (docs/protocol.md §9.2).
 */
export const RECOVERY_WORDS: readonly string[] = [
  'acid', 'acorn', 'actor', 'adult', 'agent', 'alarm', 'album', 'alley', 'amber', 'ankle', 'apple', 'apron', 'arena',
  'armor', 'arrow', 'atlas', 'attic', 'audio', 'autumn', 'award', 'axis', 'bacon', 'badge', 'bagel', 'baker',
  'bamboo', 'banjo', 'barn', 'basket', 'beach', 'beard', 'beetle', 'bell', 'bench', 'berry', 'bicycle', 'bishop',
  'blanket', 'blossom', 'board', 'boat', 'bonus', 'book', 'border', 'bottle', 'boxer', 'brain', 'branch', 'bread',
  'brick', 'bridge', 'broom', 'bubble', 'bucket', 'budget', 'buffalo', 'bundle', 'burger', 'butter', 'cabin',
  'cable', 'cactus', 'camel', 'candle', 'canoe', 'canvas', 'canyon', 'carbon', 'cargo', 'carpet', 'carrot', 'castle',
  'cattle', 'cave', 'cedar', 'cellar', 'cement', 'cereal', 'chair', 'chalk', 'cherry', 'chess', 'chicken', 'chimney',
  'circle', 'citizen', 'clock', 'cloud', 'clover', 'coach', 'cobra', 'cocoa', 'coffee', 'comet', 'copper', 'coral',
  'corner', 'cotton', 'couch', 'cousin', 'cradle', 'crane', 'crayon', 'cricket', 'crown', 'cube', 'cup', 'curtain',
  'cushion', 'dairy', 'dancer', 'deer', 'denim', 'desert', 'diamond', 'dinner', 'dish', 'doctor', 'dolphin',
  'donkey', 'door', 'dragon', 'drawer', 'dream', 'drum', 'duck', 'dune', 'eagle', 'earth', 'echo', 'eclipse',
  'elbow', 'elephant', 'ember', 'engine', 'envelope', 'eraser', 'falcon', 'farmer', 'feather', 'fence', 'ferry',
  'fiber', 'field', 'fig', 'finger', 'fire', 'fish', 'flag', 'flute', 'foam', 'forest', 'fossil', 'fountain', 'fox',
  'frame', 'garden', 'garlic', 'gate', 'gecko', 'ginger', 'giraffe', 'glacier', 'glass', 'globe', 'glove', 'goat',
  'gold', 'grape', 'gravel', 'guitar', 'hammer', 'harbor', 'harp', 'hat', 'hawk', 'helmet', 'hero', 'hill', 'honey',
  'horse', 'hotel', 'house', 'igloo', 'iron', 'island', 'ivory', 'jacket', 'jaguar', 'jar', 'jelly', 'jewel',
  'judge', 'juice', 'jungle', 'kayak', 'kettle', 'kidney', 'kite', 'kitten', 'ladder', 'lake', 'lamp', 'lantern',
  'laptop', 'lemon', 'lens', 'leopard', 'letter', 'lily', 'lime', 'lion', 'lizard', 'lobster', 'locket', 'lotus',
  'lunch', 'magnet', 'mango', 'maple', 'marble', 'market', 'meadow', 'melon', 'metal', 'mirror', 'monkey', 'moon',
  'motor', 'mountain', 'mouse', 'muffin', 'museum', 'napkin', 'needle', 'nest', 'night', 'noodle', 'north', 'nugget',
  'oak', 'ocean', 'olive', 'onion', 'orange', 'orbit', 'orchid', 'otter', 'oven', 'owl', 'oyster', 'paddle',
  'palace', 'panda', 'paper', 'parrot',
];
