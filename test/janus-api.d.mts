export interface StackInfo {
  baseUrl: string;
  janus: { ws: string; http: string; admin: string; adminSecret: string };
  turn: {
    static: { urls: string[]; username: string; credential: string };
    rest: { urls: string[]; secret: string };
  };
}
export declare function stack(): StackInfo;
export declare function videoroomRequest(body: Record<string, unknown>): Promise<Record<string, unknown>>;
export declare function createRoom(options?: Record<string, unknown>): Promise<number>;
export declare function adminHandles(sessionId: number): Promise<number[]>;
export declare function adminSessions(): Promise<number[]>;
export declare function listParticipants(
  room: number,
): Promise<Array<{ id: number; display?: string; publisher: boolean }>>;
export declare function adminHangup(sessionId: number, handleId: number | string): Promise<void>;
